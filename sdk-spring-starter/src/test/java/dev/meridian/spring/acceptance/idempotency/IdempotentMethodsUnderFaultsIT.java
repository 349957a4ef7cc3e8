package dev.meridian.spring.acceptance.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.RegionalClientFactory;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.spring.Idempotent;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import dev.meridian.spring.MeridianIdempotentAutoConfiguration;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The starter README's {@code @Idempotent} ("the first call with a key claims it in the store (on DynamoDB: in the key's
 * home region, so duplicates arriving in other regions meet the same record) ... Details of failures and crashes:
 * {@code Idempotency}'s Javadoc") under faults on the store's claim in the key's home and on the method itself: the
 * first call through an instance local in eu-west-1, the retry through another instance local in us-east-1 (its own
 * runtime and clients). Runs are counted by the method in a real DynamoDB table (direct endpoint, beyond any fault).
 */
class IdempotentMethodsUnderFaultsIT {
    private static LocalRegions regions;
    private static DynamoDbClient witness;

    @BeforeAll
    static void start() {
        regions = LocalRegions.start("eu-west-1", "eu-central-1", "us-east-1");
        for (String table : new String[] {"idempotency", "applies"}) {
            String key = table.equals("idempotency") ? "id" : "pk";
            regions.createGlobalTable(CreateTableRequest.builder().tableName(table)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(key)
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName(key).keyType(KeyType.HASH).build()).build());
        }
        witness = regions.clientBuilder("eu-west-1").endpointOverride(regions.directEndpoint("eu-west-1"))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(Duration.ofSeconds(30)).apiCallTimeout(Duration.ofSeconds(30)))
                .build();
    }

    @AfterAll
    static void stop() {
        if (witness != null) {
            witness.close();
        }
        regions.close();
    }

    @AfterEach
    void heal() {
        regions.reset();
    }

    private static ApplicationContextRunner instanceIn(String localRegion) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianDynamoDbAutoConfiguration.class, MeridianIdempotentAutoConfiguration.class))
                .withUserConfiguration(App.class)
                .withPropertyValues("meridian.regions=eu-west-1,eu-central-1,us-east-1",
                        "meridian.local-region=" + localRegion,
                        // A lost answer must outlast a cold client's first attempt too.
                        "meridian.first-attempt-timeout=600ms",
                        "meridian.dynamodb.idempotency.table=idempotency",
                        "meridian.dynamodb.idempotency.replica-regions=eu-west-1,eu-central-1,us-east-1");
    }

    /** What goes wrong during the first call. */
    enum Fault {
        NONE, HOME_REFUSED, CLAIM_500, CLAIM_THROTTLED,
        /** The claim's put is applied in the home, its answers never reach the caller. */
        CLAIM_ANSWER_LOST,
        /** The method applied its effect, then failed in a way that may have applied it (a 500). */
        METHOD_MAYBE_APPLIED
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void aRetryThroughAnotherInstanceNeverRunsTheMethodASecondTime(Fault fault) {
        String requestKey = "pay-" + UUID.randomUUID();
        String[] outcome = new String[2];
        instanceIn("eu-west-1").run(west -> instanceIn("us-east-1").run(east -> {
            warm(west);
            warm(east);
            String home = west.getBean(DynamoDbIdempotencyStore.class)
                    .homeRegion("Payments.charge#" + requestKey).orElseThrow().id();
            switch (fault) {
                case NONE, METHOD_MAYBE_APPLIED -> { }
                case HOME_REFUSED -> regions.faults(home).down();
                case CLAIM_500 -> regions.faults(home).only("PutItem").status(500);
                case CLAIM_THROTTLED -> regions.faults(home).only("PutItem").throttle();
                case CLAIM_ANSWER_LOST -> regions.faults(home).only("PutItem").latency(Duration.ofSeconds(2));
            }
            Payments.failAfterApplying = fault == Fault.METHOD_MAYBE_APPLIED;
            outcome[0] = call(west.getBean(Payments.class), requestKey);
            Payments.failAfterApplying = false;
            regions.healAll();
            outcome[1] = call(east.getBean(Payments.class), requestKey);
        }));
        int runs = runs(requestKey);
        switch (fault) {
            case NONE -> {
                assertThat(outcome[1]).isEqualTo(outcome[0]).startsWith("receipt-");
                assertThat(runs).isEqualTo(1);
            }
            case HOME_REFUSED, CLAIM_500, CLAIM_THROTTLED -> {
                // Nothing ran under the failed claim; the retry elsewhere runs the method, once.
                assertThat(outcome[0]).startsWith("failed");
                assertThat(outcome[1]).startsWith("receipt-");
                assertThat(runs).isEqualTo(1);
            }
            case CLAIM_ANSWER_LOST -> {
                // The claim was applied though its caller never learnt it: an immediate retry is refused, and the
                // method has not run at all.
                assertThat(outcome[0]).startsWith("failed");
                assertThat(outcome[1]).isEqualTo("in progress");
                assertThat(runs).isZero();
            }
            case METHOD_MAYBE_APPLIED -> {
                assertThat(outcome[0]).startsWith("failed").contains("DynamoDbException");
                assertThat(outcome[1]).isEqualTo("in progress");
                assertThat(runs).isEqualTo(1);
            }
        }
    }

    /**
     * One answered call per region through the instance's routed client, whose per-region clients the store shares:
     * a lost answer is then a lost answer, not a cold client's first attempt outlasting its budget.
     */
    private static void warm(ApplicationContext context) {
        DynamoDbClient routed = context.getBean(DynamoDbClient.class);
        for (String region : regions.regions()) {
            try (RoutingContext.Scope s = RoutingContext.builder().preferredRegion(Region.of(region)).open()) {
                routed.getItem(g -> g.tableName("applies").key(Map.of("pk", AttributeValue.fromS("warm"))));
            }
        }
    }

    private static String call(Payments payments, String requestKey) {
        try (RoutingContext.Scope s = RoutingContext.builder().idempotencyKey(requestKey).open()) {
            return payments.charge(requestKey, 1999);
        } catch (IdempotencyInProgressException e) {
            return "in progress";
        } catch (RuntimeException e) {
            return "failed: " + e.getClass().getSimpleName();
        }
    }

    private static int runs(String key) {
        AttributeValue n = witness.getItem(g -> g.tableName("applies").key(Map.of("pk", AttributeValue.fromS(key)))
                .consistentRead(true)).item().get("applies");
        return n == null ? 0 : Integer.parseInt(n.n());
    }

    /** An idempotent payment service counting its runs in the witness table. */
    public static class Payments {
        /** Static: the bean the context hands out is a proxy, whose own fields the method never sees. */
        static volatile boolean failAfterApplying;

        @Idempotent
        public String charge(String card, int cents) {
            String run = witness.updateItem(u -> u.tableName("applies").key(Map.of("pk", AttributeValue.fromS(card)))
                    .updateExpression("ADD applies :one")
                    .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.UPDATED_NEW))
                    .attributes().get("applies").n();
            if (failAfterApplying) {
                throw DynamoDbException.builder().statusCode(500).message("internal error after the charge").build();
            }
            return "receipt-" + run + "-" + cents;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class App {
        @Bean
        Payments payments() {
            return new Payments();
        }

        @Bean
        RegionalClientFactory<DynamoDbClient> localFactory() {
            return (region, spec) -> regions.clientBuilder(region.id())
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, Duration.ofMillis(500)))
                    .build();
        }
    }
}
