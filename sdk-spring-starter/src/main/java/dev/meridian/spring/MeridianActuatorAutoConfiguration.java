package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.aurora.datasource.RoutingDataSource;
import dev.meridian.core.MultiRegion;
import dev.meridian.dynamodb.flags.Flags;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator: the {@code meridian} health indicator and the {@code /actuator/meridian} endpoint, both showing the
 * replication lag the application's {@link ReplicationLagProbe} beans last measured, if it has any (the starter
 * starts no probe: a probe's thread runs only when the application asked for one), and the reader lag its
 * {@link RoutingDataSource} beans last measured while routing reads.
 */
@AutoConfiguration(after = {MeridianAutoConfiguration.class, MeridianDynamoDbAutoConfiguration.class,
        MeridianAuroraAutoConfiguration.class})
@API(status = STABLE, since = "0.1")
@ConditionalOnBean(MultiRegion.class)
public class MeridianActuatorAutoConfiguration {

    /** The regions' health, UP-but-degraded while one region is out. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("meridian")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "meridianHealthIndicator")
        MeridianHealthIndicator meridianHealthIndicator(MultiRegion runtime, MeridianProperties properties,
                ObjectProvider<ReplicationLags> lags, ObjectProvider<ReplicaLags> replicaLags) {
            return new MeridianHealthIndicator(runtime, combined(lags), maxReplicationLag(properties),
                    replicaLags.getIfUnique());
        }
    }

    /** The endpoint, when exposed. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
    static class Management {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        MeridianEndpoint meridianEndpoint(MultiRegion runtime, MeridianProperties properties,
                ObjectProvider<ReplicationLags> lags, ObjectProvider<ReplicaLags> replicaLags,
                ObjectProvider<FlagsView> flags) {
            return new MeridianEndpoint(runtime, combined(lags), maxReplicationLag(properties),
                    replicaLags.getIfUnique(), flags.getIfUnique());
        }
    }

    /** The DynamoDB global tables' lag, as the application's heartbeat probes last measured it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.meridian.dynamodb.lag.ReplicationLagProbe")
    static class DynamoDbReplicationLag {
        @Bean
        @ConditionalOnBean(type = "dev.meridian.dynamodb.lag.ReplicationLagProbe")
        ReplicationLags meridianDynamoDbReplicationLags(ObjectProvider<ReplicationLagProbe> probes) {
            return (source, destination) -> probes.orderedStream().map(p -> p.lag(source, destination))
                    .flatMap(Optional::stream).max(Comparator.naturalOrder());
        }
    }

    /** The feature flags, when the application has sdk-dynamodb's Flags bean ({@code meridian.flags.enabled}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.meridian.dynamodb.flags.Flags")
    static class FeatureFlags {
        @Bean
        @ConditionalOnBean(type = "dev.meridian.dynamodb.flags.Flags")
        FlagsView meridianFlagsView(ObjectProvider<Flags> flags) {
            return () -> {
                Flags f = flags.getObject();
                Map<String, Object> definitions = new TreeMap<>();
                f.definitions().forEach((name, d) -> {
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("enabled", d.enabled());
                    view.put("regions", new TreeMap<>(d.regions()));
                    d.rolloutPercent().ifPresent(p -> view.put("rolloutPercent", p));
                    view.put("enabledHere", d.enabledIn(f.localRegion(), null));
                    view.put("version", d.version());
                    definitions.put(name, view);
                });
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("table", f.table());
                m.put("localRegion", f.localRegion().id());
                m.put("lastGoodRead", f.lastGoodRead().map(Object::toString).orElse(null));
                m.put("definitions", definitions);
                return m;
            };
        }
    }

    /**
     * The Aurora readers' lag, as the application's data sources last measured it; data sources that measure no lag
     * ({@code maxReplicaLag} unset) show none. Each reader is held to its own data source's {@code maxReplicaLag}, not
     * to {@code meridian.health.max-replication-lag}: that is the bound above which the data source already skips
     * the reader, so the flag says what routing does.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.meridian.aurora.datasource.RoutingDataSource")
    static class AuroraReplicaLag {
        /** Looks the data sources up at each read, so that one declared as a plain {@code DataSource} counts too. */
        @Bean
        ReplicaLags meridianAuroraReplicaLags(ObjectProvider<RoutingDataSource> dataSources) {
            return region -> dataSources.orderedStream().flatMap(ds -> ds.maxReplicaLag().flatMap(bound ->
                    Optional.ofNullable(ds.replicaLags().get(region)).map(lag -> new ReplicaLags.ReplicaLag(lag, bound)))
                    .stream()).max(ReplicaLags.ReplicaLag.WORST);
        }
    }

    /** The worst of every source's measurement, or null when the application measures no lag. */
    private static @Nullable ReplicationLags combined(ObjectProvider<ReplicationLags> provider) {
        List<ReplicationLags> all = provider.orderedStream().toList();
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : (source, destination) -> all.stream()
                .map(l -> l.lag(source, destination)).flatMap(Optional::stream).max(Comparator.<Duration>naturalOrder());
    }

    /** {@code meridian.health.max-replication-lag}, checked by its declaration; null when unset. */
    static @Nullable Duration maxReplicationLag(MeridianProperties properties) {
        Duration lag = properties.getHealth().getMaxReplicationLag();
        return lag == null ? null : StarterSettings.check(StarterSettings.HEALTH_MAX_REPLICATION_LAG, lag);
    }
}
