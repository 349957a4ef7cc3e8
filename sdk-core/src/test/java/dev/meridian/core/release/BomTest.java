package dev.meridian.core.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The BOM has no parent (so importing it brings no Spring Boot or test dependency management): this keeps its version
 * equal to the build's and its list equal to the modules a release publishes.
 */
class BomTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern VERSION = Pattern.compile("<artifactId>(meridian-parent|meridian-bom)</artifactId>\\s*"
            + "<version>([^<]+)</version>");
    private static final Pattern MANAGED = Pattern.compile("<artifactId>([^<]+)</artifactId><version>\\$\\{project"
            + "\\.version\\}</version>");

    @Test
    void bomVersionIsTheBuildsVersion() throws IOException {
        assertThat(version(read("meridian-bom/pom.xml"))).isEqualTo(version(read("pom.xml")));
    }

    @Test
    void bomManagesExactlyThePublishedModules() throws IOException {
        assertThat(managed(read("meridian-bom/pom.xml"))).containsExactlyElementsOf(managed(read("pom.xml")));
    }

    @Test
    void bomHasNoParent() throws IOException {
        assertThat(read("meridian-bom/pom.xml")).doesNotContain("<parent>");
    }

    private static String read(String file) throws IOException {
        return Files.readString(ROOT.resolve(file));
    }

    private static String version(String pom) {
        Matcher m = VERSION.matcher(pom);
        assertThat(m.find()).as("a version next to the artifactId").isTrue();
        return m.group(2);
    }

    private static List<String> managed(String pom) {
        return MANAGED.matcher(pom).results().map(r -> r.group(1)).collect(Collectors.toList());
    }
}
