package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The health indicator's roll-up, the endpoint's operations, and their conditions. */
class MeridianActuatorAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                    MeridianActuatorAutoConfiguration.class))
            .withPropertyValues("meridian.regions=eu-west-1,eu-central-1,us-east-1",
                    "management.endpoints.web.exposure.include=meridian,health");

    @Test
    @SuppressWarnings("unchecked")
    void oneRegionOutIsUpButDegradedAndEveryRegionOutIsDown() {
        runner.run(ctx -> {
            MeridianEndpoint endpoint = ctx.getBean(MeridianEndpoint.class);
            MeridianHealthIndicator health = ctx.getBean(MeridianHealthIndicator.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            assertThat(health.health().getDetails()).containsEntry("degraded", false);
            assertThat((Map<String, Object>) ((Map<String, Object>) health.health().getDetails().get("regions"))
                    .get("eu-west-1")).containsEntry("suspect", false);

            assertThat(endpoint.region("us-east-1", "drain")).containsEntry("drained", true);
            Health degraded = health.health();
            assertThat(degraded.getStatus()).isEqualTo(Status.UP);
            assertThat(degraded.getDetails()).containsEntry("degraded", true)
                    .containsEntry("unavailable", List.of("us-east-1"));

            endpoint.region("eu-west-1", "drain");
            endpoint.region("eu-central-1", "drain");
            assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);

            endpoint.region("eu-west-1", "undrain");
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void endpointShowsTheTopologyAndRefusesUnknownRegionsAndActions() {
        runner.withPropertyValues("meridian.local-region=eu-central-1", "meridian.routing=failover").run(ctx -> {
            MeridianEndpoint endpoint = ctx.getBean(MeridianEndpoint.class);
            Map<String, Object> topology = endpoint.topology();
            assertThat(topology).containsEntry("localRegion", "eu-central-1").containsEntry("routing", "failover");
            Map<String, Object> regions = (Map<String, Object>) topology.get("regions");
            assertThat(regions).containsOnlyKeys("eu-west-1", "eu-central-1", "us-east-1");
            assertThat((Map<String, Object>) regions.get("us-east-1")).containsEntry("jurisdiction", "US")
                    .containsEntry("breaker", "CLOSED").containsEntry("suspect", false).containsEntry("priority", 2);
            assertThatThrownBy(() -> endpoint.region("ap-south-1", "drain"))
                    .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("ap-south-1");
            assertThatThrownBy(() -> endpoint.region("eu-west-1", "pause"))
                    .isInstanceOf(InvalidEndpointRequestException.class).hasMessageContaining("drain or undrain");
        });
    }

    @Test
    void conditions() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianActuatorAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1").run(ctx -> {
                    assertThat(ctx).doesNotHaveBean(MeridianEndpoint.class); // not exposed by default
                    assertThat(ctx).hasSingleBean(MeridianHealthIndicator.class);
                });
        runner.withPropertyValues("management.health.meridian.enabled=false").run(ctx ->
                assertThat(ctx).doesNotHaveBean(MeridianHealthIndicator.class));
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(ctx -> {
            assertThat(ctx).doesNotHaveBean(MeridianHealthIndicator.class);
            assertThat(ctx).hasSingleBean(MeridianEndpoint.class);
        });
        runner.withPropertyValues("meridian.enabled=false").run(ctx -> {
            assertThat(ctx).doesNotHaveBean(MeridianEndpoint.class);
            assertThat(ctx).doesNotHaveBean(MeridianHealthIndicator.class);
        });
    }
}
