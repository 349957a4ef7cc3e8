package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every change to sdk-testkit's public signatures shows in the diff of api/sdk-testkit.api (see {@link ApiSurface}). */
class ApiSurfaceTest {
    @Test
    void publicSignaturesAreTheCheckedInSurface() {
        assertThatCode(() -> ApiSurface.check(Path.of("target/classes"), Path.of("api/sdk-testkit.api"),
                getClass().getClassLoader()))
                .as("public signatures vs the checked-in surface file").doesNotThrowAnyException();
    }
}
