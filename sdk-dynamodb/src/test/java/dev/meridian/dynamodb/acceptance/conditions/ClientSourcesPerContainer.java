package dev.meridian.dynamodb.acceptance.conditions;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

/**
 * Closes a container's {@link ClientSource}s (its static fields, set by its {@code @BeforeContainer} method): the cold
 * clients after every try, all of them after the container. Both run before {@code LocalRegionsPerContainer} resets or
 * closes the regions, so that no client of a try outlives it.
 */
final class ClientSourcesPerContainer implements AfterContainerHook, AroundTryHook {
    /** Between the container's {@code @AfterContainer} methods (0) and the regions' close (-10). */
    private static final int AFTER_CONTAINER_METHODS = -5;
    /** Between {@code @AfterTry} methods (-10) and the regions' reset (-20). */
    private static final int AROUND_TRY_METHODS = -15;

    @Override
    public void afterContainer(ContainerLifecycleContext context) {
        sources(context.optionalContainerClass().orElseThrow()).forEach(ClientSource::close);
    }

    @Override
    public int afterContainerProximity() {
        return AFTER_CONTAINER_METHODS;
    }

    @Override
    public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters) {
        try {
            return aTry.execute(parameters);
        } finally {
            sources(context.containerClass()).forEach(ClientSource::closeCold);
        }
    }

    @Override
    public int aroundTryProximity() {
        return AROUND_TRY_METHODS;
    }

    /** Registered on the container, the hook must reach its properties to wrap their tries. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.DIRECT_DESCENDANTS;
    }

    private static List<ClientSource> sources(Class<?> container) {
        List<ClientSource> sources = new ArrayList<>();
        for (Field f : container.getDeclaredFields()) {
            if (f.getType() == ClientSource.class && Modifier.isStatic(f.getModifiers())) {
                try {
                    f.setAccessible(true);
                    ClientSource s = (ClientSource) f.get(null);
                    if (s != null) {
                        sources.add(s);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return sources;
    }
}
