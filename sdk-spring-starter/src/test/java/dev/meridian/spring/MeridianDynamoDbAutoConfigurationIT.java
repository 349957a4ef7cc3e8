package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.RegionalClientFactory;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The DynamoDB beans and their conditions, against DynamoDB Local in three regions. */
@LocalRegionsConfig
class MeridianDynamoDbAutoConfigurationIT {
    private static LocalRegions regions;
    private ApplicationContextRunner runner;

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable("orders"));
    }

    @BeforeEach
    void runner() {
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianDynamoDbAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1,eu-central-1,us-east-1",
                        // Each call to one region: the tests count requests per region (hedging is on by default).
                        "meridian.hedge.mode=off",
                        "meridian.local-region=us-east-1",
                        "meridian.region.eu-west-1.endpoint=" + regions.endpoint("eu-west-1"),
                        "meridian.region.eu-central-1.endpoint=" + regions.endpoint("eu-central-1"),
                        "meridian.region.us-east-1.endpoint=" + regions.endpoint("us-east-1"),
                        "meridian.dynamodb.tables.orders.partition-key=pk",
                        "meridian.dynamodb.tables.orders.replica-regions=eu-west-1,eu-central-1");
    }

    @Test
    void theApplicationsClientBecomesMultiRegionOnItsOwnConfiguration() {
        runner.withUserConfiguration(AppClient.class).run(ctx -> {
            DynamoDbClient client = ctx.getBean(DynamoDbClient.class);
            assertThat(RegionalDynamoDbClients.isRouted(client)).isTrue();
            try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE")
                    .dataClass(DataClass.RESTRICTED).open()) {
                client.putItem(b -> b.tableName("orders").item(Map.of("pk", AttributeValue.fromS("o-1"))));
            }
            assertThat(regions.journal("us-east-1").count("PutItem")).isZero();
            assertThat(regions.journal("eu-west-1").count("PutItem")).isEqualTo(1);
            assertThat(ctx.getBean(AppClient.class).intercepted).as("the app's interceptor ran on the regional client")
                    .hasPositiveValue();
        });
    }

    @Test
    void restrictedDataOnATableReplicatedOutsideItsJurisdictionIsRefused() {
        runner.withUserConfiguration(AppClient.class)
                .withPropertyValues("meridian.dynamodb.tables.orders.replica-regions=eu-west-1,us-east-1")
                .run(ctx -> {
                    DynamoDbClient client = ctx.getBean(DynamoDbClient.class);
                    try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE")
                            .dataClass(DataClass.RESTRICTED).open()) {
                        assertThatThrownBy(() -> client.getItem(b -> b.tableName("orders")
                                .key(Map.of("pk", AttributeValue.fromS("o-1")))))
                                .isInstanceOf(ResidencyViolationException.class);
                    }
                    assertThat(regions.journal("us-east-1").isEmpty()).isTrue();
                });
    }

    @Test
    void optOutByPropertyByNameAndByAnnotation() {
        runner.withUserConfiguration(AppClient.class).withPropertyValues("meridian.dynamodb.wrap-beans=false")
                .run(ctx -> assertThat(RegionalDynamoDbClients.isRouted(ctx.getBean(DynamoDbClient.class)))
                        .isFalse());
        runner.withUserConfiguration(AppClient.class).withPropertyValues("meridian.dynamodb.exclude-beans=appDynamo")
                .run(ctx -> assertThat(RegionalDynamoDbClients.isRouted(ctx.getBean(DynamoDbClient.class)))
                        .isFalse());
        runner.withUserConfiguration(SingleRegionClient.class)
                .run(ctx -> assertThat(RegionalDynamoDbClients.isRouted(ctx.getBean(DynamoDbClient.class)))
                        .isFalse());
    }

    @Test
    void asyncClientsAreWrappedToo() {
        runner.withBean("appAsync", DynamoDbAsyncClient.class, () -> DynamoDbAsyncClient.builder()
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build()).run(ctx -> {
                    DynamoDbAsyncClient client = ctx.getBean(DynamoDbAsyncClient.class);
                    assertThat(RegionalDynamoDbClients.isRouted(client)).isTrue();
                    client.listTables().join();
                    assertThat(regions.journal("us-east-1").count("ListTables")).isEqualTo(1);
                });
    }

    @Test
    void providesARoutedClientAndEnhancedClientWhenTheApplicationHasNone() {
        runner.withUserConfiguration(LocalFactory.class).run(ctx -> {
                    DynamoDbClient client = ctx.getBean(DynamoDbClient.class);
                    assertThat(RegionalDynamoDbClients.isRouted(client)).isTrue();
                    client.listTables();
                    assertThat(regions.journal("us-east-1").count("ListTables")).isEqualTo(1);
                    assertThat(ctx).hasSingleBean(DynamoDbEnhancedClient.class);
                    assertThat(ctx).doesNotHaveBean(DynamoDbIdempotencyStore.class);
                });
    }

    @Test
    void idempotencyStoreOnlyWhenItsTableIsConfigured() {
        runner.withPropertyValues("meridian.dynamodb.idempotency.table=idempotency",
                "meridian.dynamodb.idempotency.replica-regions=eu-west-1,eu-central-1").run(ctx -> {
                    assertThat(ctx).hasSingleBean(DynamoDbIdempotencyStore.class);
                    assertThat(ctx).hasSingleBean(Idempotency.class);
                });
        runner.withPropertyValues("meridian.dynamodb.idempotency.table=idempotency",
                "meridian.dynamodb.idempotency.mode=sometimes").run(ctx ->
                        assertThat(MeridianAutoConfigurationTest.analysis(ctx.getStartupFailure()).getDescription())
                                .contains("meridian.dynamodb.idempotency.mode"));
    }

    @Test
    void badTablePropertiesFailStartUpNamingTheProperty() {
        runner.withUserConfiguration(AppClient.class)
                .withPropertyValues("meridian.dynamodb.tables.orders.write-mode=everywhere").run(ctx ->
                        assertThat(MeridianAutoConfigurationTest.analysis(ctx.getStartupFailure()).getAction())
                                .contains("meridian.dynamodb.tables.orders.write-mode")
                                .contains("write-home-by-key"));
    }

    @Test
    void nothingWithoutTheDynamoDbModules() {
        runner.withClassLoader(new FilteredClassLoader("dev.meridian.dynamodb")).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).doesNotHaveBean(DynamoDbClient.class);
        });
        runner.withClassLoader(new FilteredClassLoader(DynamoDbEnhancedClient.class)).run(ctx -> {
            assertThat(ctx).hasSingleBean(DynamoDbClient.class);
            assertThat(ctx).doesNotHaveBean("dynamoDbEnhancedClient");
        });
    }

    @Test
    void drainingThroughTheEndpointMovesTheNextCallAndAnOpenBreakerLeavesHealthUpButDegraded() {
        runner.withConfiguration(AutoConfigurations.of(MeridianActuatorAutoConfiguration.class))
                .withUserConfiguration(LocalFactory.class)
                .withPropertyValues("management.endpoints.web.exposure.include=meridian",
                        "meridian.breaker.minimum-calls=2", "meridian.breaker.sliding-window-size=2")
                .run(ctx -> {
                    DynamoDbClient client = ctx.getBean(DynamoDbClient.class);
                    client.listTables();
                    assertThat(regions.journal("us-east-1").count("ListTables")).isEqualTo(1);

                    ctx.getBean(MeridianEndpoint.class).region("us-east-1", "drain");
                    client.listTables();
                    assertThat(regions.journal("us-east-1").count("ListTables")).as("after the drain").isEqualTo(1);
                    assertThat(regions.journal("eu-west-1").count("ListTables")).isEqualTo(1);
                    ctx.getBean(MeridianEndpoint.class).region("us-east-1", "undrain");

                    regions.faults("eu-west-1").down();
                    try {
                        for (int i = 0; i < 2; i++) {
                            try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE")
                                    .dataClass(DataClass.RESTRICTED).open()) {
                                client.getItem(b -> b.tableName("orders")
                                        .key(Map.of("pk", AttributeValue.fromS("o-" + 0))));
                            }
                        }
                    } finally {
                        regions.faults("eu-west-1").heal();
                    }
                    var health = ctx.getBean(MeridianHealthIndicator.class).health();
                    assertThat(health.getStatus().getCode()).isEqualTo("UP");
                    assertThat(health.getDetails()).containsEntry("degraded", true)
                            .containsEntry("unavailable", java.util.List.of("eu-west-1"));
                });
    }

    /** An application's own client: eu-west-1 through the local proxy, with an interceptor. */
    @Configuration(proxyBeanMethods = false)
    static class AppClient {
        final AtomicInteger intercepted = new AtomicInteger();

        @Bean
        DynamoDbClient appDynamo() {
            return regions.clientBuilder("eu-west-1").overrideConfiguration(o -> o.addExecutionInterceptor(
                    new ExecutionInterceptor() {
                        @Override
                        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                            intercepted.incrementAndGet();
                        }
                    })).build();
        }
    }

    /** The application's own per-region client factory. */
    @Configuration(proxyBeanMethods = false)
    static class LocalFactory {
        @Bean
        RegionalClientFactory<DynamoDbClient> localFactory() {
            return (region, spec) -> regions.clientBuilder(region.id()).build();
        }
    }

    /** A client the application keeps single-region. */
    @Configuration(proxyBeanMethods = false)
    static class SingleRegionClient {
        @Bean
        @SingleRegion
        DynamoDbClient plainDynamo() {
            return regions.client("eu-west-1");
        }
    }

}
