package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.meridian.testkit.ApiSurface;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every change to sdk-core's public signatures shows in the diff of api/sdk-core.api (see {@link ApiSurface}). */
class ApiSurfaceTest {
    @Test
    void publicSignaturesAreTheCheckedInSurface() {
        assertThatCode(() -> ApiSurface.check(Path.of("target/classes"), Path.of("api/sdk-core.api"), getClass().getClassLoader()))
                .as("public signatures vs the checked-in surface file").doesNotThrowAnyException();
    }
}
