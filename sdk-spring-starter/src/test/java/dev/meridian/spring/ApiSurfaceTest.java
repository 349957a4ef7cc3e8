package dev.meridian.spring;

import dev.meridian.testkit.ApiSurface;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every change to sdk-spring-starter's public signatures shows in the diff of api/sdk-spring-starter.api (see {@link ApiSurface}). */
class ApiSurfaceTest {
    @Test
    void publicSignaturesAreTheCheckedInSurface() {
        ApiSurface.check(Path.of("target/classes"), Path.of("api/sdk-spring-starter.api"), getClass().getClassLoader());
    }
}
