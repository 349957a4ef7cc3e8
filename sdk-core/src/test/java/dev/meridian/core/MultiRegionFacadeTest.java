package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.spi.MultiRegionSpi;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link MultiRegion} is the runtime's user face and stays small: what integrations need is on
 * {@link MultiRegionSpi}, reached with {@code MultiRegionSpi.of(runtime)}.
 */
class MultiRegionFacadeTest {
    private static final int MAX_PUBLIC_METHODS = 15;

    @Test
    void theFacadeHasAtMostFifteenPublicMethods() {
        List<String> publicMethods = Arrays.stream(MultiRegion.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge())
                .filter(m -> !overridesObject(m))
                .map(Method::getName).sorted().collect(Collectors.toList());
        assertThat(publicMethods)
                .as("MultiRegion's public methods; integration calls belong on MultiRegionSpi")
                .hasSizeLessThanOrEqualTo(MAX_PUBLIC_METHODS);
    }

    private static boolean overridesObject(Method m) {
        try {
            Object.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
