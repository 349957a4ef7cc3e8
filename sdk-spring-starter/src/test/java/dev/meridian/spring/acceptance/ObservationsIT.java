package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * sdk-spring-starter/README.md, "Observations": with an application {@code ObservationRegistry} bean, every regional
 * attempt of a routed call is a {@code meridian.call} observation (failover attempts, hedges, asynchronous attempts
 * each their own) with {@code region}, {@code operation}, {@code attempt} (1-based within the call) and
 * {@code outcome} ({@code success}, {@code regional_failure}, {@code caller_error}, {@code cancelled}: a hedge that
 * lost), a failed attempt's exception as its error, and as parent the observation current on the caller's thread when
 * the call started, also for attempts that start on Meridian's own threads or from an asynchronous failover.
 */
@LocalRegionsConfig
class ObservationsIT {
    private static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    private static LocalRegions regions;
    private static final List<Observation.Context> STOPPED = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable("orders"));
    }

    @BeforeEach
    void reset() {
        STOPPED.clear();
    }

    private static ApplicationContextRunner runner() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                STOPPED.add(context);
            }
        });
        StaticCredentialsProvider local = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "l"));
        ApplicationContextRunner r = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianDynamoDbAutoConfiguration.class))
                .withBean(ObservationRegistry.class, () -> registry)
                .withBean("appDynamo", DynamoDbClient.class,
                        () -> DynamoDbClient.builder().region(Region.EU_WEST_1).credentialsProvider(local).build())
                .withBean("appDynamoAsync", DynamoDbAsyncClient.class,
                        () -> DynamoDbAsyncClient.builder().region(Region.EU_WEST_1).credentialsProvider(local).build())
                .withPropertyValues("meridian.regions=" + String.join(",", REGIONS), "meridian.local-region=eu-west-1",
                        "meridian.routing=failover",
                        "meridian.dynamodb.tables.orders.partition-key=pk",
                        "meridian.dynamodb.tables.orders.replica-regions=" + String.join(",", REGIONS));
        for (String region : REGIONS) {
            r = r.withPropertyValues("meridian.region." + region + ".endpoint=" + regions.endpoint(region));
        }
        return r;
    }

    /** Runs {@code call} under a caller observation named {@code request}, PUBLIC data. */
    private static void asRequest(ObservationRegistry registry, Runnable call) {
        Observation.createNotStarted("request", registry).observe(() -> {
            try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.PUBLIC).open()) {
                call.run();
            }
        });
    }

    private static Map<String, AttributeValue> key() {
        return Map.of("pk", AttributeValue.fromS(UUID.randomUUID().toString()));
    }

    /** A call into every region first, so that every region's client is warm. */
    private static void warmUp(DynamoDbClient dynamo) {
        for (String region : REGIONS) {
            try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.PUBLIC)
                    .preferredRegion(Region.of(region)).open()) {
                dynamo.putItem(p -> p.tableName("orders").item(key()));
                dynamo.getItem(g -> g.tableName("orders").key(key()));
            }
        }
        STOPPED.clear();
    }

    private static List<Map<String, String>> calls() {
        return STOPPED.stream().filter(c -> "meridian.call".equals(c.getName()))
                .map(c -> c.getLowCardinalityKeyValues().stream()
                        .collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue)))
                .toList();
    }

    private static void assertEveryCallIsAChildOfTheRequest() {
        List<Observation.Context> calls = STOPPED.stream().filter(c -> "meridian.call".equals(c.getName())).toList();
        assertThat(calls).isNotEmpty().allSatisfy(c -> assertThat(Optional.ofNullable(c.getParentObservation())
                .map(p -> p.getContextView().getName())).as("parent of %s", c.getLowCardinalityKeyValues())
                .contains("request"));
    }

    private static Consumer<Map<String, String>> attempt(String region, String operation, String attempt,
            String outcome) {
        return kv -> assertThat(kv).containsEntry("region", region).containsEntry("operation", operation)
                .containsEntry("attempt", attempt).containsEntry("outcome", outcome);
    }

    @Test
    void aFailedOverWriteIsTwoAttemptsUnderTheCallersObservation() {
        runner().run(context -> {
            DynamoDbClient dynamo = context.getBean(DynamoDbClient.class);
            warmUp(dynamo);
            regions.faults("eu-west-1").only("PutItem").status(503);

            asRequest(context.getBean(ObservationRegistry.class),
                    () -> dynamo.putItem(p -> p.tableName("orders").item(key())));

            assertThat(calls()).satisfiesExactly(attempt("eu-west-1", "PutItem", "1", "regional_failure"),
                    attempt("eu-central-1", "PutItem", "2", "success"));
            assertThat(STOPPED.stream().filter(c -> "meridian.call".equals(c.getName())).findFirst().orElseThrow()
                    .getError()).isNotNull();
            assertEveryCallIsAChildOfTheRequest();
        });
    }

    @Test
    void anAsynchronousFailoverKeepsTheCallersObservationAsParent() {
        runner().run(context -> {
            DynamoDbClient dynamo = context.getBean(DynamoDbClient.class);
            DynamoDbAsyncClient async = context.getBean(DynamoDbAsyncClient.class);
            warmUp(dynamo);
            async.putItem(p -> p.tableName("orders").item(key())).join();
            STOPPED.clear();
            regions.faults("eu-west-1").only("PutItem").status(503);

            asRequest(context.getBean(ObservationRegistry.class),
                    () -> async.putItem(p -> p.tableName("orders").item(key())).join());

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> calls().size() >= 2);
            assertThat(calls()).satisfiesExactly(attempt("eu-west-1", "PutItem", "1", "regional_failure"),
                    attempt("eu-central-1", "PutItem", "2", "success"));
            assertEveryCallIsAChildOfTheRequest();
        });
    }

    @Test
    void aHedgedReadIsAnAttemptPerRegionAndTheLoserIsCancelled() {
        runner().run(context -> {
            DynamoDbClient dynamo = context.getBean(DynamoDbClient.class);
            warmUp(dynamo);
            regions.faults("eu-west-1").only("GetItem").latency(Duration.ofSeconds(1));

            asRequest(context.getBean(ObservationRegistry.class),
                    () -> dynamo.getItem(g -> g.tableName("orders").key(key())));

            // The loser's observation stops when it is cancelled, possibly after the call returned.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> calls().size() >= 2);
            assertThat(calls()).anySatisfy(attempt("eu-west-1", "GetItem", "1", "cancelled"))
                    .anySatisfy(attempt("eu-central-1", "GetItem", "2", "success"));
            assertEveryCallIsAChildOfTheRequest();
        });
    }
}
