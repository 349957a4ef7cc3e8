package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * sdk-core is compiled with {@code -XDstringConcat=inline} (root pom): an {@code invokedynamic} string concatenation
 * makes the first one of a JVM spin StringConcatFactory's method-handle classes, a cold-start cost the raw AWS SDK
 * (compiled for Java 8) does not have. Fails when a class was compiled without the flag.
 */
class InlineStringConcatTest {

    @Test
    void noClassUsesInvokedynamicStringConcatenation() throws IOException, URISyntaxException {
        Path classes = Path.of(MultiRegionConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> indy;
        try (Stream<Path> files = Files.walk(classes)) {
            indy = files.filter(f -> f.toString().endsWith(".class")).filter(InlineStringConcatTest::usesIndyConcat)
                    .map(f -> classes.relativize(f).toString()).collect(Collectors.toList());
        }
        assertThat(indy).as("classes with makeConcatWithConstants").isEmpty();
    }

    private static boolean usesIndyConcat(Path classFile) {
        try {
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1)
                    .contains("makeConcatWithConstants");
        } catch (IOException e) {
            throw new IllegalStateException(classFile.toString(), e);
        }
    }
}
