package dev.meridian.spring;

import static dev.meridian.spring.StarterSettings.CONTROL_TABLE_NAME;
import static dev.meridian.spring.StarterSettings.FLAGS_REFRESH_INTERVAL;
import static dev.meridian.spring.StarterSettings.IDEMPOTENCY_MODE;
import static dev.meridian.spring.StarterSettings.IDEMPOTENCY_REPLICA_REGIONS;
import static dev.meridian.spring.StarterSettings.IDEMPOTENCY_TABLE;
import static dev.meridian.spring.StarterSettings.IDEMPOTENCY_TTL;
import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.RegionalClientFactory;
import dev.meridian.core.exception.InvalidSettingException;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.flags.Flags;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.apiguardian.api.API;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * Multi-region DynamoDB: the application's {@code DynamoDbClient} / {@code DynamoDbAsyncClient} beans are made
 * multi-region ({@link DynamoDbClientsPostProcessor}); when it has none, a routed {@code DynamoDbClient} (and a
 * {@code DynamoDbEnhancedClient} on it, when the Enhanced Client is on the class path) is provided. With Spring Cloud
 * AWS's DynamoDB auto-configuration present this runs after it: its {@code DynamoDbClient} bean is the one made
 * multi-region, each region's client built from its configuration ({@code SpringCloudAwsDynamoDbClients}). With
 * {@code meridian.dynamodb.idempotency.table} set, a {@link DynamoDbIdempotencyStore} and an {@link Idempotency}.
 * Per-region clients are built on first use; nothing here starts a thread, but for the replication-lag probe that
 * {@code meridian.dynamodb.replication-lag-probe.table} enables in each synchronous routed client built here (one
 * daemon thread per client, stopped when the client is closed).
 */
@AutoConfiguration(after = MeridianAutoConfiguration.class,
        afterName = SpringCloudAwsDynamoDbClients.AUTO_CONFIGURATION)
@API(status = STABLE, since = "0.1")
@ConditionalOnClass({DynamoDbClient.class, MultiRegionDynamoDb.class})
@ConditionalOnBean(MultiRegion.class)
public class MeridianDynamoDbAutoConfiguration {

    /** Static so that it is registered before the client beans it post-processes are created. */
    @Bean
    static DynamoDbClientsPostProcessor meridianDynamoDbClientsPostProcessor(ObjectProvider<MultiRegion> runtime,
            Environment environment) {
        return new DynamoDbClientsPostProcessor(runtime, properties(environment));
    }

    /** A routed client when the application defines none; per-region clients capped as RegionalClientDefaults says. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(DynamoDbClient.class)
    DynamoDbClient dynamoDbClient(MultiRegion runtime, MeridianProperties properties,
            ObjectProvider<RegionalClientFactory<DynamoDbClient>> factory) {
        MultiRegionDynamoDb.Builder b = MultiRegionDynamoDb.builder().multiRegion(runtime)
                .tables(DynamoDbTables.of(properties))
                .regionalClientFactory(factory.getIfAvailable(() -> MeridianDynamoDbAutoConfiguration::regional));
        DynamoDbLagProbes.of(properties).ifPresent(b::replicationLagProbe);
        return b.buildClient();
    }

    /** A DynamoDB client of one region with capped retries and its configured endpoint, default credentials. */
    static DynamoDbClient regional(Region region, RegionSpec spec) {
        DynamoDbClientBuilder b = DynamoDbClient.builder().region(region)
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration());
        spec.endpoint().ifPresent(b::endpointOverride);
        return b.build();
    }

    private static MeridianProperties properties(Environment environment) {
        return Binder.get(environment).bind("meridian", MeridianProperties.class).orElseGet(MeridianProperties::new);
    }

    /** Spring Cloud AWS's recipe for its client, when it is on the class path (named: it is an optional dependency). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = SpringCloudAwsDynamoDbClients.AUTO_CONFIGURATION)
    static class SpringCloudAws {
        @Bean
        DynamoDbClientRecipes meridianSpringCloudAwsDynamoDbClients(ConfigurableListableBeanFactory beanFactory) {
            return new SpringCloudAwsDynamoDbClients(beanFactory);
        }
    }

    /** The Enhanced Client over the routed client, when the application defines none. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(DynamoDbEnhancedClient.class)
    static class Enhanced {
        @Bean
        @ConditionalOnMissingBean
        DynamoDbEnhancedClient dynamoDbEnhancedClient(DynamoDbClient dynamoDbClient) {
            return DynamoDbEnhancedClient.builder().dynamoDbClient(dynamoDbClient).build();
        }
    }

    /** The idempotency store, when its table is configured. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "meridian.dynamodb.idempotency", name = "table")
    static class IdempotencyStoreConfiguration {
        @Bean
        @ConditionalOnMissingBean
        DynamoDbIdempotencyStore dynamoDbIdempotencyStore(MeridianProperties properties,
                DynamoDbClient dynamoDbClient) {
            MeridianProperties.IdempotencyStore p = properties.getDynamodb().getIdempotency();
            // Built on the multi-region client: the store shares its runtime and per-region clients.
            DynamoDbIdempotencyStore.Builder b = DynamoDbIdempotencyStore.builder().client(dynamoDbClient)
                    .mode(DynamoDbIdempotencyStore.HomeRegionMode.valueOf(
                            StarterSettings.check(IDEMPOTENCY_MODE, p.getMode()).toUpperCase(Locale.ROOT)));
            String table = StarterSettings.check(IDEMPOTENCY_TABLE, p.getTable()); // the bean exists only when set
            try {
                b.table(table);
            } catch (IllegalArgumentException e) {
                throw new MeridianConfigurationException(IDEMPOTENCY_TABLE.propertyName(),
                        Objects.requireNonNull(e.getMessage(), "message"),
                        "name a DynamoDB table of 3 to 255 characters", e);
            }
            if (p.getReplicaRegions().isEmpty()) {
                return b.build();
            }
            String property = IDEMPOTENCY_REPLICA_REGIONS.propertyName();
            b.replicaRegions(DynamoDbTables.regions(IDEMPOTENCY_REPLICA_REGIONS, property, p.getReplicaRegions()));
            try {
                return b.build();
            } catch (InvalidSettingException e) {
                if (!e.setting().endsWith(".replicaRegions")) {
                    throw e;
                }
                // The store checks its replica regions against the runtime's: the error names what the user wrote.
                String message = Objects.requireNonNull(e.getMessage(), "message").replace(e.setting(), property);
                throw new MeridianConfigurationException(property, message, e.fix(), e);
            }
        }

        @Bean
        @ConditionalOnMissingBean
        Idempotency idempotency(DynamoDbIdempotencyStore store, MeridianProperties properties) {
            return Idempotency.builder().store(store)
                    .ttl(StarterSettings.check(IDEMPOTENCY_TTL, properties.getDynamodb().getIdempotency().getTtl()))
                    .build();
        }
    }

    /**
     * Regional feature flags, with {@code meridian.flags.enabled=true}: read from the control table
     * ({@code meridian.control.table-name}) through the {@code DynamoDbClient} bean (the routed client: its local region's
     * overrides apply, and its per-region clients read the table). Its refresh thread runs until the context closes.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "meridian.flags.enabled")
    static class FlagsConfiguration {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        Flags meridianFlags(MultiRegion runtime, MeridianProperties properties, DynamoDbClient dynamoDbClient,
                @Value("${meridian.control.table-name:" + Flags.DEFAULT_TABLE + "}") String table) {
            // The local region also when the client bean is not multi-region (meridian.dynamodb.wrap-beans=false).
            Flags.Builder b = Flags.builder().client(dynamoDbClient).localRegion(runtime.config().localRegion());
            StarterSettings.check(CONTROL_TABLE_NAME, table);
            try {
                b.table(table);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw MeridianConfigurationException.invalid(CONTROL_TABLE_NAME.propertyName(), "is not a table name ("
                        + e.getMessage() + ")", SettingRules.quoted(table), "name the control table (3 to 255 characters)", e);
            }
            Duration interval = StarterSettings.check(FLAGS_REFRESH_INTERVAL, properties.getFlags().getRefreshInterval());
            try {
                b.refreshInterval(interval);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw MeridianConfigurationException.invalid(FLAGS_REFRESH_INTERVAL.propertyName(),
                        "is not a refresh interval (" + e.getMessage() + ")", interval, "set at least 100ms, e.g. 1s", e);
            }
            return b.build();
        }
    }
}
