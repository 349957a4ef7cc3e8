package dev.meridian.aurora;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.meridian.testkit.ApiSurface;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every change to sdk-aurora's public signatures shows in the diff of api/sdk-aurora.api (see {@link ApiSurface}). */
class ApiSurfaceTest {
    @Test
    void publicSignaturesAreTheCheckedInSurface() {
        assertThatCode(() -> ApiSurface.check(Path.of("target/classes"), Path.of("api/sdk-aurora.api"), getClass().getClassLoader()))
                .as("public signatures vs the checked-in surface file").doesNotThrowAnyException();
    }
}
