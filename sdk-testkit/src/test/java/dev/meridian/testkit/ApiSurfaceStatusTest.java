package dev.meridian.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API status of every public type is in the surface file, and a type without one fails the check. */
class ApiSurfaceStatusTest {
    private static final Path FIXTURES = Path.of("target/test-classes/dev/meridian/testkit/apifixture");

    @TempDir
    Path classes;

    @BeforeEach
    void copyFixtures() throws IOException {
        Path target = Files.createDirectories(classes.resolve("dev/meridian/testkit/apifixture"));
        try (Stream<Path> files = Files.list(FIXTURES)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void eachTypeLineCarriesItsStatusANestedTypeItsEnclosingOnesAMemberItsOwn() {
        List<String> surface = ApiSurface.of(classes, getClass().getClassLoader());
        assertTrue(surface.containsAll(List.of(
                "dev.meridian.testkit.apifixture.Marked @API(EXPERIMENTAL) public final class",
                "dev.meridian.testkit.apifixture.Marked @API(INTERNAL) public dev.meridian.testkit.apifixture.Marked()",
                "dev.meridian.testkit.apifixture.Marked$Nested @API(EXPERIMENTAL) public static final class",
                "dev.meridian.testkit.apifixture.Unmarked public final class")), surface::toString);
    }

    @Test
    void aPublicTypeWithoutStatusFailsTheCheck() {
        assertEquals(List.of("dev.meridian.testkit.apifixture.Unmarked"),
                ApiSurface.withoutStatus(classes, getClass().getClassLoader()));
        AssertionError e = assertThrows(AssertionError.class,
                () -> ApiSurface.check(classes, classes.resolve("fixture.api"), getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("without an API status")
                && e.getMessage().contains("dev.meridian.testkit.apifixture.Unmarked"), e.getMessage());
    }
}
