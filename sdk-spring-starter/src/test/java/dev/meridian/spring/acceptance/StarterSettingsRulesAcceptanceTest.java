package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.spring.MeridianActuatorAutoConfiguration;
import dev.meridian.spring.MeridianAuroraAutoConfiguration;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import dev.meridian.spring.MeridianSessionStoreAutoConfiguration;
import dev.meridian.spring.MeridianWebAutoConfiguration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * sdk-spring-starter/README.md, "Every property": the starter's own settings are "declared in the starter's
 * {@code StarterSettings} and checked through it when the beans are built", sdk-dynamodb's table settings follow "the
 * same rules as {@code MERIDIAN_DYNAMODB_TABLE_<TABLE>_*}", and "Configuration errors": a value Meridian cannot start
 * with fails start-up naming the property. Each case is one bad value (with what its feature needs to be on), in a
 * servlet application with the starter's auto-configurations; the start-up failure must name the property.
 */
class StarterSettingsRulesAcceptanceTest {
    private static final String ENDPOINT = "http://127.0.0.1:9";

    /** A bad value of {@code key}, and the properties that turn its feature on. */
    record Bad(String key, String value, List<String> with) {
        @Override
        public String toString() {
            return key + "=" + value + " " + with;
        }
    }

    private static Bad bad(String key, String value, String... with) {
        return new Bad(key, value, List.of(with));
    }

    @Provide
    Arbitrary<Bad> badValues() {
        String idempotency = "meridian.dynamodb.idempotency.table=idempotency";
        String flags = "meridian.flags.enabled=true";
        String staticControl = "meridian.control.source=static";
        String session = "meridian.session.enabled=true";
        String aurora = "meridian.aurora.region.eu-west-1.writer-url=jdbc:postgresql://127.0.0.1:9/x";
        String writer = "meridian.aurora.writer-region=eu-west-1";
        return Arbitraries.of(
                bad("meridian.web.correlation-id-header", " "),
                bad("meridian.web.subject-country-header", ""),
                bad("meridian.dynamodb.idempotency.mode", "SOMETIMES", idempotency),
                bad("meridian.dynamodb.idempotency.ttl", "-1h", idempotency),
                bad("meridian.dynamodb.idempotency.replica-regions", "ap-south-1", idempotency),
                bad("meridian.flags.refresh-interval", "0s", flags),
                bad("meridian.control.source", "banana"),
                bad("meridian.control.static-state", "eu-west-1=MAYBE", staticControl),
                bad("meridian.control.poll-interval", "-1s", staticControl),
                bad("meridian.control.table-regions", "mars-north-1", "meridian.control.source=table"),
                bad("meridian.health.max-replication-lag", "-5s"),
                bad("meridian.session.read-wait", "-1s", session),
                bad("meridian.session.timeout", "-30m", session),
                bad("meridian.session.subject-country", "Germany", session),
                bad("meridian.aurora.discovery", "magic", aurora),
                bad("meridian.aurora.lag-check-interval", "-1s", aurora, writer),
                bad("meridian.dynamodb.tables.orders.write-mode", "SOMETIMES"),
                bad("meridian.dynamodb.tables.orders.replica-regions", "mars-north-1"),
                bad("meridian.dynamodb.tables.orders.default-data-class", " "));
    }

    @Property(tries = 60)
    void aBadValueFailsStartUpNamingItsProperty(@ForAll("badValues") Bad bad) {
        List<String> props = new ArrayList<>(List.of("meridian.regions=eu-west-1,eu-central-1,us-east-1",
                "meridian.local-region=eu-west-1", "meridian.dynamodb.tables.orders.partition-key=pk"));
        for (String region : List.of("eu-west-1", "eu-central-1", "us-east-1")) {
            props.add("meridian.region." + region + ".endpoint=" + ENDPOINT);
        }
        props.addAll(bad.with());
        props.add(bad.key() + "=" + bad.value());
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianDynamoDbAutoConfiguration.class, MeridianAuroraAutoConfiguration.class,
                        MeridianWebAutoConfiguration.class, MeridianActuatorAutoConfiguration.class,
                        MeridianSessionStoreAutoConfiguration.class))
                .withBean("appDynamo", DynamoDbClient.class, () -> DynamoDbClient.builder().region(Region.EU_WEST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("l", "l")))
                        .build())
                .withPropertyValues(props.toArray(String[]::new))
                .run(context -> {
                    assertThat(context).as(bad.toString()).hasFailed();
                    List<String> messages = new ArrayList<>();
                    for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
                        messages.add(String.valueOf(t.getMessage()));
                    }
                    assertThat(String.join("\n", messages)).as(bad.toString()).contains(bad.key());
                });
    }
}
