package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.meridian.testkit.ApiSurface;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every change to sdk-spring-starter's public signatures shows in the diff of api/sdk-spring-starter.api (see {@link ApiSurface}). */
class ApiSurfaceTest {
    @Test
    void publicSignaturesAreTheCheckedInSurface() {
        assertThatCode(() -> ApiSurface.check(Path.of("target/classes"), Path.of("api/sdk-spring-starter.api"), getClass().getClassLoader()))
                .as("public signatures vs the checked-in surface file").doesNotThrowAnyException();
    }
}
