package dev.meridian.dynamodb;

import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsExtension;
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
 * The jqwik counterpart of the testkit's {@link LocalRegionsExtension} (jqwik runs no Jupiter extensions), for a
 * container registering it with {@code @AddLifecycleHook(LocalRegionsPerContainer.class)}. The regions are the
 * container's one static {@code LocalRegions} field, started by its initializer (jqwik runs a container's
 * {@code @BeforeContainer} methods before any hook's, so a hook cannot start them for those methods). The hook resets
 * them after every try (heals every fault, resumes replication, clears the journals: a failed try leaks no fault into
 * the next) and closes them after the container's {@code @AfterContainer} methods.
 */
public final class LocalRegionsPerContainer implements AfterContainerHook, AroundTryHook {
    /** Farther out than the container's {@code @AfterContainer} methods (0): they close their clients first. */
    private static final int AFTER_CONTAINER_METHODS = -10;
    /** Farther out than {@code @BeforeTry}/{@code @AfterTry} methods (-10): a try's own clean-up runs first. */
    private static final int AROUND_TRY_METHODS = -20;

    @Override
    public void afterContainer(ContainerLifecycleContext context) {
        regions(context.optionalContainerClass().orElseThrow()).close();
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
            regions(context.containerClass()).reset();
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

    private static LocalRegions regions(Class<?> container) {
        List<Field> fields = new ArrayList<>();
        for (Field f : container.getDeclaredFields()) {
            if (f.getType() == LocalRegions.class && Modifier.isStatic(f.getModifiers())) {
                fields.add(f);
            }
        }
        if (fields.size() != 1) {
            throw new IllegalStateException(container.getName() + " needs one static LocalRegions field for "
                    + LocalRegionsPerContainer.class.getSimpleName() + " but has " + fields.size());
        }
        try {
            fields.get(0).setAccessible(true);
            return (LocalRegions) fields.get(0).get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
