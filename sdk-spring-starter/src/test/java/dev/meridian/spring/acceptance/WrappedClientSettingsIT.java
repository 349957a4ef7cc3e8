package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsExecutionAttribute;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * sdk-spring-starter/README.md, "What it configures", the wrapping of an application's {@code DynamoDbClient} bean:
 * the per-region clients copy "the bean's credentials and override configuration ... (what the application set —
 * interceptors ..., headers ... kept; the retry strategy replaced by the 2-attempt cap (fewer when the application set
 * fewer: one attempt stays one) ...; call and attempt timeouts at most 2 s: a shorter one the application set is kept,
 * a longer one cut, so one region never holds a call longer before it fails over), and the region's
 * {@code meridian.region.<region>.endpoint}". Witnesses: the request journals (an SDK attempt is one request) and
 * the application's own interceptor.
 */
@LocalRegionsConfig
class WrappedClientSettingsIT {
    private static final List<String> REGIONS = List.of("eu-west-1", "eu-central-1", "us-east-1");
    private static LocalRegions regions;
    /** Regions in which the application's interceptor saw its own header on a request. */
    static final Set<String> SEEN_WITH_HEADER = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable("orders"));
    }

    @BeforeEach
    void reset() {
        SEEN_WITH_HEADER.clear();
    }

    /** The application's client: its region is never called; its override configuration is the subject. */
    private static ApplicationContextRunner runner(int appAttempts, Duration attemptTimeout, Duration callTimeout) {
        ApplicationContextRunner r = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianDynamoDbAutoConfiguration.class))
                .withPropertyValues("meridian.regions=" + String.join(",", REGIONS), "meridian.local-region=eu-west-1",
                        "meridian.hedge.mode=off",
                        "meridian.dynamodb.tables.orders.partition-key=pk",
                        "meridian.dynamodb.tables.orders.replica-regions=" + String.join(",", REGIONS))
                .withBean("appDynamo", DynamoDbClient.class, () -> DynamoDbClient.builder().region(Region.AP_SOUTH_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "l")))
                        .overrideConfiguration(o -> {
                            o.putHeader("X-App", "1").addExecutionInterceptor(new HeaderWitness())
                                    .apiCallAttemptTimeout(attemptTimeout).apiCallTimeout(callTimeout);
                            if (appAttempts > 0) {
                                RetryStrategy strategy = software.amazon.awssdk.awscore.retry.AwsRetryStrategy
                                        .standardRetryStrategy().toBuilder().maxAttempts(appAttempts).build();
                                o.retryStrategy(strategy);
                            } else {
                                o.retryStrategy(RetryMode.STANDARD);
                            }
                        }).build());
        for (String region : REGIONS) {
            r = r.withPropertyValues("meridian.region." + region + ".endpoint=" + regions.endpoint(region));
        }
        return r;
    }

    private static void put(DynamoDbClient dynamo, String preferred) {
        try (RoutingContext.Scope s = RoutingContext.builder().dataClass(DataClass.PUBLIC)
                .preferredRegion(Region.of(preferred)).open()) {
            dynamo.putItem(p -> p.tableName("orders")
                    .item(Map.of("pk", AttributeValue.fromS(UUID.randomUUID().toString()))));
        }
    }

    @Test
    void theApplicationsHeadersAndInterceptorsGoToEveryRegion() {
        runner(0, Duration.ofSeconds(1), Duration.ofSeconds(1)).run(context -> {
            DynamoDbClient dynamo = context.getBean(DynamoDbClient.class);
            REGIONS.forEach(region -> put(dynamo, region));
            REGIONS.forEach(region -> assertThat(regions.journal(region).count("PutItem")).as(region).isEqualTo(1));
            assertThat(SEEN_WITH_HEADER).containsExactlyInAnyOrderElementsOf(REGIONS);
        });
    }

    /**
     * {@code 0}: the application set the SDK's standard retry mode (3 attempts). The application's timeouts are the cap
     * (2 s): the SDK's throttling back-off before the retry is up to a second with its jitter, and a call timeout that
     * ends the retry in flight would make the write ambiguous, not moved (seen with 1 s on a loaded machine).
     */
    @ParameterizedTest(name = "application attempts {0}: {1} in the throttled region")
    @CsvSource({"1, 1", "2, 2", "3, 2", "5, 2", "0, 2"})
    void retriesAreCappedAtTwoAttemptsOrTheApplicationsFewer(int appAttempts, int expected) {
        runner(appAttempts, Duration.ofSeconds(2), Duration.ofSeconds(2)).run(context -> {
            DynamoDbClient dynamo = context.getBean(DynamoDbClient.class);
            put(dynamo, "eu-west-1");                    // the region's client is built and warm
            regions.journalsClear();
            regions.faults("eu-west-1").only("PutItem").throttle();

            put(dynamo, "eu-west-1");                    // throttled: nothing applied, so it moves on

            assertThat(regions.journal("eu-west-1").count("PutItem")).as("attempts in eu-west-1").isEqualTo(expected);
            assertThat(regions.journal("eu-central-1").count("PutItem") + regions.journal("us-east-1").count("PutItem"))
                    .as("the write, applied in the next region").isEqualTo(1);
        });
    }

    /**
     * An application attempt timeout of 20 s and call timeout of 60 s are cut to 2 s: a write to a black-holed region
     * (which may have been applied, so it is not sent elsewhere) fails within the capped timeouts, far before the
     * application's 20 s. The bound is generous: two capped attempts are 4 s.
     */
    @Test
    void longerTimeoutsThanTwoSecondsAreCut() {
        runner(0, Duration.ofSeconds(20), Duration.ofSeconds(60)).run(context -> {
            DynamoDbClient dynamo = context.getBean(DynamoDbClient.class);
            put(dynamo, "eu-west-1");
            regions.journalsClear();
            regions.faults("eu-west-1").blackhole();

            long start = System.nanoTime();
            assertThatThrownBy(() -> put(dynamo, "eu-west-1")).isInstanceOf(RuntimeException.class);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isLessThan(Duration.ofSeconds(15));
            assertThat(regions.journal("eu-central-1").count("PutItem") + regions.journal("us-east-1").count("PutItem"))
                    .as("a write that may have been applied is not sent elsewhere").isZero();
        });
    }

    /** Records, per region, that a request carried the application's header. */
    static final class HeaderWitness implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (context.httpRequest().firstMatchingHeader("X-App").filter("1"::equals).isPresent()) {
                SEEN_WITH_HEADER.add(attributes.getAttribute(AwsExecutionAttribute.AWS_REGION).id());
            }
        }
    }
}
