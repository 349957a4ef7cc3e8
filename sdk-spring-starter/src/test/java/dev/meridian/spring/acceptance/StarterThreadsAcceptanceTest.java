package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.residency.DataClass;
import dev.meridian.spring.MeridianActuatorAutoConfiguration;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianContextPropagationAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * sdk-spring-starter/README.md: "Nothing the starter configures starts a thread unless a feature that needs one is on:
 * hedged reads (on by default: the hedge workers start with the first read ...) or a health probe; per-region clients
 * and pools are created at first use", and "every executor closed by {@code close()}" (common brief): threads the
 * first read started end with the context, but sdk-core's JVM-wide timeout scheduler ("one daemon thread
 * ({@code meridian-sdk-timeouts-1}) shared by every Meridian runtime of the JVM ... ended after a minute without a
 * timeout to run").
 */
class StarterThreadsAcceptanceTest {
    /**
     * Where no DynamoDB answers: connections are refused at once, so reads fail fast in every region. Port 9
     * (discard) is not served on a test machine.
     */
    private static final String NOWHERE = "http://127.0.0.1:9";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                    MeridianDynamoDbAutoConfiguration.class, MeridianActuatorAutoConfiguration.class,
                    MeridianContextPropagationAutoConfiguration.class))
            .withPropertyValues("meridian.regions=eu-west-1,eu-central-1,us-east-1", "meridian.local-region=eu-west-1",
                    "meridian.region.eu-west-1.endpoint=" + NOWHERE, "meridian.region.eu-central-1.endpoint=" + NOWHERE,
                    "meridian.region.us-east-1.endpoint=" + NOWHERE,
                    "meridian.dynamodb.tables.orders.partition-key=pk",
                    "meridian.dynamodb.tables.orders.replica-regions=eu-west-1,eu-central-1,us-east-1");

    @Test
    void startingTheStartersBeansStartsNoThread() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(DynamoDbClient.class);
            assertThat(names(newThreads(before))).as("threads started by the context").isEmpty();
        });
    }

    @Test
    void theThreadsAFirstReadStartsEndWithTheContext() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        runner.withUserConfiguration(AppClient.class).run(context -> {
            DynamoDbClient dynamo = context.getBean(DynamoDbClient.class);
            try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.PUBLIC).open()) {
                dynamo.getItem(g -> g.tableName("orders").key(Map.of("pk", AttributeValue.fromS("1"))));
            } catch (RuntimeException expected) {
                // No region answers: the read fails; its threads have started.
            }
        });
        // JVM-wide by design: the AWS SDK's connection reaper (of the application's own client class) and sdk-core's
        // timeout scheduler, which the README documents.
        Set<String> jvmWide = Set.of("idle-connection-reaper", "meridian-sdk-timeouts-1");
        Awaitility.await("threads started under the context to end after close").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(names(newThreads(before))).allMatch(jvmWide::contains));
    }

    /** "The replaced clients are closed with the context." */
    @Test
    void theApplicationsReplacedClientIsClosedWithTheContext() {
        runner.withUserConfiguration(AppClient.class).run(context ->
                assertThat(context.getBean(DynamoDbClient.class)).isNotSameAs(AppClient.built));
        assertThatThrownBy(() -> AppClient.built.listTables()).as("a call through the closed client")
                .isInstanceOf(IllegalStateException.class);
    }

    private static List<Thread> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t) && t.isAlive())
                .filter(t -> t.getThreadGroup() == null || !"system".equals(t.getThreadGroup().getName()))
                .filter(t -> !t.getName().startsWith("awaitility"))
                .toList();
    }

    private static Set<String> names(List<Thread> threads) {
        return threads.stream().map(Thread::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    @Configuration(proxyBeanMethods = false)
    static class AppClient {
        /** The application's own client, as its bean method built it (the context holds the routed one). */
        static volatile DynamoDbClient built;

        @Bean
        DynamoDbClient appDynamo() {
            built = DynamoDbClient.builder().region(Region.EU_WEST_1).endpointOverride(URI.create(NOWHERE))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .build();
            return built;
        }
    }
}
