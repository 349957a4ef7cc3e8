package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.dynamodb.flags.Flags;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The Flags bean ({@code meridian.flags.enabled}) and the flags in {@code /actuator/meridian}, on DynamoDB Local. */
@LocalRegionsConfig(regions = {"eu-west-1", "us-east-1"})
class MeridianFlagsIT {
    private static final String TABLE = "ops-control";
    private static LocalRegions regions;

    @BeforeAll
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.client("eu-west-1").putItem(p -> p.tableName(TABLE).item(Map.of(
                "pk", AttributeValue.fromS("flag#new-checkout"), "enabled", AttributeValue.fromBool(true),
                "regions", AttributeValue.fromM(Map.of("us-east-1", AttributeValue.fromBool(false))))));
        regions.awaitReplication();
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                    MeridianDynamoDbAutoConfiguration.class, MeridianActuatorAutoConfiguration.class))
            .withSystemProperties("aws.accessKeyId=meridiantestkit", "aws.secretAccessKey=meridiantestkit")
            .withPropertyValues("meridian.regions=eu-west-1,us-east-1",
                    "meridian.region.eu-west-1.endpoint=" + regions.endpoint("eu-west-1"),
                    "meridian.region.us-east-1.endpoint=" + regions.endpoint("us-east-1"),
                    "meridian.control.table-name=" + TABLE,
                    "management.endpoints.web.exposure.include=meridian");

    @Test
    void noFlagsBeanUnlessEnabled() {
        runner.run(ctx -> {
            assertThat(ctx).doesNotHaveBean(Flags.class);
            assertThat(ctx.getBean(MeridianEndpoint.class).topology()).doesNotContainKey("flags");
        });
    }

    @Test
    void theFlagsBeanReadsTheControlTableInTheLocalRegion() {
        runner.withPropertyValues("meridian.flags.enabled=true", "meridian.local-region=us-east-1").run(ctx -> {
            Flags flags = ctx.getBean(Flags.class);
            assertThat(flags.table()).isEqualTo(TABLE);
            assertThat(flags.definitions()).containsKey("new-checkout");
            assertThat(flags.isEnabled("new-checkout")).as("us-east-1's override").isFalse();
        });
        runner.withPropertyValues("meridian.flags.enabled=true", "meridian.local-region=eu-west-1").run(ctx ->
                assertThat(ctx.getBean(Flags.class).isEnabled("new-checkout")).isTrue());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointShowsTheFlags() {
        runner.withPropertyValues("meridian.flags.enabled=true", "meridian.local-region=us-east-1").run(ctx -> {
            Map<String, Object> flags = (Map<String, Object>) ctx.getBean(MeridianEndpoint.class).topology()
                    .get("flags");
            assertThat(flags).containsEntry("table", TABLE).containsEntry("localRegion", "us-east-1")
                    .containsKey("lastGoodRead");
            Map<String, Object> flag = (Map<String, Object>) ((Map<String, Object>) flags.get("definitions"))
                    .get("new-checkout");
            assertThat(flag).containsEntry("enabled", true).containsEntry("enabledHere", false)
                    .containsEntry("regions", Map.of("us-east-1", false));
        });
    }

    @Test
    void aBadRefreshIntervalNamesTheProperty() {
        runner.withPropertyValues("meridian.flags.enabled=true", "meridian.flags.refresh-interval=10ms")
                .run(ctx -> assertThat(ctx).getFailure()
                        .hasStackTraceContaining(MeridianConfigurationException.class.getName()
                                + ": meridian.flags.refresh-interval must be at least 100ms, was PT0.01S"));
    }
}
