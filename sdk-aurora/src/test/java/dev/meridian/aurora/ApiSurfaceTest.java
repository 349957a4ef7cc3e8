package dev.meridian.aurora;

import dev.meridian.testkit.ApiSurface;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every change to sdk-aurora's public signatures shows in the diff of api/sdk-aurora.api (see {@link ApiSurface}). */
class ApiSurfaceTest {
    @Test
    void publicSignaturesAreTheCheckedInSurface() {
        ApiSurface.check(Path.of("target/classes"), Path.of("api/sdk-aurora.api"), getClass().getClassLoader());
    }
}
