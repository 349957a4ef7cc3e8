package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.RegionalClientFactory;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * {@link Idempotent} on the starter's DynamoDB idempotency store: two application instances in different local
 * regions, over DynamoDB Local global tables, run a method body once for a key sent to both.
 */
@LocalRegionsConfig
class MeridianIdempotentIT {
    /** Runs of the method body across both application instances. */
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static LocalRegions regions;

    @BeforeAll
    static void start() {
        regions.createGlobalTable(CreateTableRequest.builder().tableName("idempotency")
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build()).build());
    }

    private static ApplicationContextRunner instanceIn(String localRegion) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianDynamoDbAutoConfiguration.class, MeridianIdempotentAutoConfiguration.class))
                .withUserConfiguration(App.class)
                .withPropertyValues("meridian.regions=eu-west-1,eu-central-1,us-east-1",
                        "meridian.local-region=" + localRegion,
                        "meridian.dynamodb.idempotency.table=idempotency",
                        "meridian.dynamodb.idempotency.replica-regions=eu-west-1,eu-central-1,us-east-1");
    }

    @Test
    void aKeySentToTwoRegionsRunsTheMethodOnceAndBothAnswerWithItsResult() {
        String[] answers = new String[2];
        instanceIn("eu-west-1").run(west -> instanceIn("us-east-1").run(east -> {
            Payments westPayments = west.getBean(Payments.class);
            Payments eastPayments = east.getBean(Payments.class);
            try (RoutingContext.Scope s = RoutingContext.builder().idempotencyKey("pay-42").open()) {
                answers[0] = westPayments.charge("card-1", 1999);
            }
            try (RoutingContext.Scope s = RoutingContext.builder().idempotencyKey("pay-42")
                    .preferredRegion(software.amazon.awssdk.regions.Region.US_EAST_1).open()) {
                answers[1] = eastPayments.charge("card-1", 1999);
            }
        }));
        assertThat(RUNS).hasValue(1);
        assertThat(answers[1]).isEqualTo(answers[0]);
        int puts = 0;
        for (String region : regions.regions()) {
            puts += regions.journal(region).count("PutItem");
        }
        assertThat(puts).as("both claims went to the key's home region's table; one wrote, one was refused")
                .isEqualTo(2);
    }

    /** An idempotent payment service. */
    public static class Payments {
        @Idempotent
        public String charge(String card, int cents) {
            return "receipt-" + RUNS.incrementAndGet() + "-" + card + "-" + cents;
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
            return (region, spec) -> regions.clientBuilder(region.id()).build();
        }
    }
}
