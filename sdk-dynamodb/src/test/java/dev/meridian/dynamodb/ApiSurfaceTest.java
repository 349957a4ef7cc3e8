package dev.meridian.dynamodb;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.meridian.testkit.ApiSurface;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every change to sdk-dynamodb's public signatures shows in the diff of api/sdk-dynamodb.api (see {@link ApiSurface}). */
class ApiSurfaceTest {
    @Test
    void publicSignaturesAreTheCheckedInSurface() {
        assertThatCode(() -> ApiSurface.check(Path.of("target/classes"), Path.of("api/sdk-dynamodb.api"), getClass().getClassLoader()))
                .as("public signatures vs the checked-in surface file").doesNotThrowAnyException();
    }
}
