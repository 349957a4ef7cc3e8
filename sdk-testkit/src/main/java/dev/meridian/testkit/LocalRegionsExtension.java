package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Optional;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * JUnit Jupiter extension running one {@link LocalRegions} per test class.
 *
 * <ul>
 *   <li>before all tests of the class that carries {@link LocalRegionsConfig} (or that registers this extension;
 *       then with {@link LocalRegions#DEFAULT_REGIONS}): starts the regions; {@code @Nested} classes share them;</li>
 *   <li>injects them into fields of type {@code LocalRegions} (static or instance) and into parameters of
 *       constructors, lifecycle methods and tests;</li>
 *   <li>before each test: {@link LocalRegions#reset()} (heals faults, resumes replication, restores the
 *       replication delay, clears journals), so a failed test cannot leak a fault into the next;</li>
 *   <li>after all tests of that class, even when they failed: closes them.</li>
 * </ul>
 * Tables and items survive between tests of a class; use distinct keys or tables per test.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class LocalRegionsExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, TestInstancePostProcessor,
        ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(LocalRegionsExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Class<?> owner = owner(context);
        LocalRegions regions = lookup(context, owner);
        if (regions == null) {
            regions = start(owner);
            context.getStore(NAMESPACE).put(owner, regions);
        }
        inject(null, context.getRequiredTestClass(), regions);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getRequiredTestClass() == owner(context)) {
            LocalRegions regions = context.getStore(NAMESPACE).remove(owner(context), LocalRegions.class);
            if (regions != null) {
                regions.close();
            }
        }
    }

    @Override
    public void postProcessTestInstance(Object testInstance, ExtensionContext context) throws Exception {
        inject(testInstance, testInstance.getClass(), regions(context));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        regions(context).reset();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LocalRegions.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return regions(extensionContext);
    }

    private static LocalRegions regions(ExtensionContext context) {
        LocalRegions regions = lookup(context, owner(context));
        if (regions == null) {
            throw new ExtensionConfigurationException("No LocalRegions started for " + context.getDisplayName()
                    + "; annotate the test class with @LocalRegionsConfig");
        }
        return regions;
    }

    private static LocalRegions lookup(ExtensionContext context, Class<?> owner) {
        return context.getStore(NAMESPACE).get(owner, LocalRegions.class);
    }

    private static LocalRegions start(Class<?> owner) {
        LocalRegionsConfig config = owner.getAnnotation(LocalRegionsConfig.class);
        if (config == null) {
            return LocalRegions.builder().regions(LocalRegions.DEFAULT_REGIONS).start();
        }
        return LocalRegions.builder()
                .regions(config.regions())
                .replicationDelay(Duration.ofMillis(config.replicationDelayMillis()))
                .start();
    }

    /** The outermost test class (of the current one and its enclosing classes) that asks for local regions. */
    private static Class<?> owner(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        Class<?> owner = testClass;
        for (Optional<ExtensionContext> parent = context.getParent(); parent.isPresent();
                parent = parent.get().getParent()) {
            Optional<Class<?>> parentClass = parent.get().getTestClass();
            if (parentClass.isPresent() && parentClass.get() != owner
                    && parentClass.get().isAnnotationPresent(LocalRegionsConfig.class)) {
                owner = parentClass.get();
            }
        }
        return owner;
    }

    private static void inject(Object instance, Class<?> type, LocalRegions regions) throws IllegalAccessException {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getType() != LocalRegions.class || Modifier.isFinal(field.getModifiers())
                        || Modifier.isStatic(field.getModifiers()) != (instance == null)) {
                    continue;
                }
                field.setAccessible(true);
                field.set(instance, regions);
            }
        }
    }
}
