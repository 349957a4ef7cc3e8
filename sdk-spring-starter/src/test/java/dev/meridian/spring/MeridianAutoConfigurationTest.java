package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.spi.MultiRegionSpi;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import software.amazon.awssdk.regions.Region;

/** The runtime beans and their conditions. */
class MeridianAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class))
            .withPropertyValues("meridian.regions=eu-west-1,eu-central-1,us-east-1", "meridian.local-region=eu-central-1");

    @Test
    void buildsTheConfigurationAndTheRuntimeFromTheProperties() {
        runner.withPropertyValues("meridian.breaker.wait-in-open=30s", "meridian.region.us-east-1.priority=0",
                "meridian.region.eu-west-1.priority=5", "meridian.region.eu-central-1.priority=6",
                "meridian.routing=failover", "meridian.residency.country.GB=UK").run(ctx -> {
                    MultiRegionConfig config = ctx.getBean(MultiRegionConfig.class);
                    assertThat(config.localRegion()).isEqualTo(Region.EU_CENTRAL_1);
                    assertThat(config.regionsByPriority().get(0)).isEqualTo(Region.US_EAST_1);
                    assertThat(config.health().waitInOpenState()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(config.routing().name()).isEqualTo("failover");
                    assertThat(config.residency().countries().jurisdictionOf("GB")).hasValueSatisfying(
                            j -> assertThat(j.toString()).isEqualTo("UK"));
                    assertThat(ctx.getBean(MultiRegion.class).config()).isSameAs(config);
                });
    }

    @Test
    void offWhenDisabled() {
        runner.withPropertyValues("meridian.enabled=false").run(ctx -> {
            assertThat(ctx).doesNotHaveBean(MultiRegionConfig.class);
            assertThat(ctx).doesNotHaveBean(MultiRegion.class);
        });
    }

    @Test
    void backsOffForTheApplicationsOwnConfigurationAndRuntime() {
        MultiRegionConfig own = MultiRegionConfig.builder().region(Region.AP_SOUTH_1).build();
        runner.withBean(MultiRegionConfig.class, () -> own).run(ctx ->
                assertThat(ctx.getBean(MultiRegion.class).config()).isSameAs(own));
        MultiRegion runtime = MultiRegion.builder(own).build();
        runner.withBean(MultiRegion.class, () -> runtime).run(ctx ->
                assertThat(ctx.getBean(MultiRegion.class)).isSameAs(runtime));
    }

    @Test
    void metersGoToTheApplicationsRegistryWhenThereIsOne() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.withBean(MeterRegistry.class, () -> registry).run(ctx ->
                assertThat(MultiRegionSpi.of(ctx.getBean(MultiRegion.class)).meterRegistry()).containsSame(registry));
        runner.run(ctx -> assertThat(MultiRegionSpi.of(ctx.getBean(MultiRegion.class)).meterRegistry()).isEmpty());
    }

    @Test
    void attemptsAreObservedInTheApplicationsObservationRegistry() {
        List<String> observed = new CopyOnWriteArrayList<>();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStop(Observation.Context context) {
                observed.add(context.getName() + " " + context.getLowCardinalityKeyValue("region").getValue() + " "
                        + context.getLowCardinalityKeyValue("outcome").getValue());
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
        Operation get = Operation.of("GetItem", OperationKind.READ);
        runner.withBean(ObservationRegistry.class, () -> registry).run(ctx -> {
            MultiRegion runtime = ctx.getBean(MultiRegion.class);
            assertThat(MultiRegionSpi.of(runtime).observationRegistry()).containsSame(registry);
            runtime.execute(get, region -> region.id());
        });
        assertThat(observed).containsExactly("meridian.call eu-central-1 success");
        runner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
                .withBean(ObservationRegistry.class, () -> registry)
                .run(ctx -> assertThat(MultiRegionSpi.of(ctx.getBean(MultiRegion.class)).observationRegistry()).containsSame(registry));
        runner.run(ctx -> assertThat(MultiRegionSpi.of(ctx.getBean(MultiRegion.class)).observationRegistry()).isEmpty());
    }

    @Test
    void worksWithoutMicrometerOnTheClassPath() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer.core")).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(MultiRegionSpi.of(ctx.getBean(MultiRegion.class)).meterRegistry()).isEmpty();
        });
    }

    @Test
    void aBadValueFailsStartUpWithTheAnalyzersReport() {
        runner.withPropertyValues("meridian.local-region=ap-south-1").run(ctx -> {
            FailureAnalysis analysis = analysis(ctx.getStartupFailure());
            assertThat(analysis.getDescription()).startsWith("Meridian cannot start: meridian.local-region must be"
                    + " one of the configured regions [eu-west-1, eu-central-1, us-east-1], was 'ap-south-1'; ");
            assertThat(analysis.getAction()).startsWith("Update meridian.local-region")
                    .contains("one of the configured regions");
        });
        runner.withPropertyValues("meridian.region.eu-west-1.weight=90").run(ctx ->
                assertThat(analysis(ctx.getStartupFailure()).getAction())
                        .contains("meridian.region.<region>.weight").contains("add up to 100"));
        runner.withPropertyValues("meridian.hedge.mode=sometimes", "meridian.hedge.delay=20ms").run(ctx ->
                assertThat(analysis(ctx.getStartupFailure()).getDescription())
                        .contains("meridian.hedge.mode must be one of [adaptive, fixed, off], was 'sometimes'"));
        runner.withPropertyValues("meridian.regions=").run(ctx ->
                assertThat(analysis(ctx.getStartupFailure()).getDescription()).contains("meridian.regions"));
    }

    @Test
    void everyBadPropertyIsReportedNamingItWithItsValueAndAFix() {
        String[][] mistakes = {
            {"meridian.home-region", "us-west-2"},
            {"meridian.routing", "nearest"},
            {"meridian.max-regions-per-call", "0"},
            {"meridian.region.eu-west-1.weight", "101"},
            {"meridian.region.eu-west-1.priority", "-1"},
            {"meridian.breaker.failure-rate-threshold", "0"},
            {"meridian.breaker.minimum-calls", "0"},
            {"meridian.hedge.budget-percent", "0"},
            {"meridian.breaker.eject-after-stalls", "-1"},
        };
        for (String[] m : mistakes) {
            runner.withPropertyValues(m[0] + "=" + m[1]).run(ctx -> {
                FailureAnalysis analysis = analysis(ctx.getStartupFailure());
                assertThat(analysis.getDescription()).as(m[0])
                        .matches("Meridian cannot start: " + Pattern.quote(m[0]) + " (must|is required)[^;]*, was "
                                + "'?" + Pattern.quote(m[1]) + ".*; \\S.+");
                assertThat(analysis.getAction()).as(m[0]).startsWith("Update " + m[0] + " ");
            });
        }
    }

    @Test
    void startsNoThreadUnlessAFeatureThatNeedsOneIsConfigured() {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianDynamoDbAutoConfiguration.class, MeridianActuatorAutoConfiguration.class))
                // Hedged reads, on by default, are a feature that needs threads (their timer starts with the runtime).
                .withPropertyValues("meridian.regions=eu-west-1,us-east-1", "meridian.hedge.mode=off",
                        "meridian.dynamodb.idempotency.table=idempotency",
                        "meridian.dynamodb.tables.orders.partition-key=pk")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    java.util.Set<Thread> started = new java.util.HashSet<>(Thread.getAllStackTraces().keySet());
                    started.removeAll(before);
                    assertThat(started).as("threads started by the context").isEmpty();
                });
    }

    static FailureAnalysis analysis(Throwable failure) {
        assertThat(failure).as("start-up failure").isNotNull();
        FailureAnalysis analysis = new MeridianFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("analysis of %s", failure).isNotNull();
        return analysis;
    }
}
