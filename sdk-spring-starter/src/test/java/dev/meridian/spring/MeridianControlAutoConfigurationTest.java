package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.spi.MultiRegionSpi;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code meridian.control.*}: the source built from properties, its state in health and the endpoint. */
class MeridianControlAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                    MeridianActuatorAutoConfiguration.class))
            .withPropertyValues("meridian.regions=eu-west-1,eu-central-1,us-east-1",
                    "management.endpoints.web.exposure.include=meridian,health");

    @Test
    void withoutASourceThereIsNoControlAndNoControlDetail() {
        runner.run(ctx -> {
            assertThat(MultiRegionSpi.of(ctx.getBean(MultiRegion.class)).control()).isEmpty();
            assertThat(ctx.getBean(MeridianHealthIndicator.class).health().getDetails()).doesNotContainKey("control");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStaticSourceTurnsARegionOffAndHealthAndTheEndpointShowIt() {
        runner.withPropertyValues("meridian.control.source=static", "meridian.control.poll-interval=200ms",
                "meridian.control.static-state=us-east-1=OFF,eu-west-1=ON:90").run(ctx -> {
                    MultiRegion runtime = ctx.getBean(MultiRegion.class);
                    await().atMost(Duration.ofSeconds(10)).until(() -> !runtime.status(
                            software.amazon.awssdk.regions.Region.US_EAST_1).available());
                    Map<String, Object> control = (Map<String, Object>) ctx.getBean(MeridianHealthIndicator.class)
                            .health().getDetails().get("control");
                    assertThat(control).containsEntry("source", "static").containsEntry("outage", false)
                            .containsKey("lastGoodReadAgeMillis");
                    Map<String, Object> regions = (Map<String, Object>) control.get("regions");
                    assertThat((Map<String, Object>) regions.get("us-east-1")).containsEntry("state", "OFF");
                    assertThat((Map<String, Object>) regions.get("eu-west-1")).containsEntry("state", "ON")
                            .containsEntry("weight", 90);
                    assertThat(ctx.getBean(MeridianEndpoint.class).topology()).containsKey("control");
                });
    }

    @Test
    void anUnknownSourceFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("meridian.control.source=consul").run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().rootCause().hasMessageStartingWith("meridian.control.source must be one of"
                        + " [none, static, table, arc], was 'consul'"));
    }
}
