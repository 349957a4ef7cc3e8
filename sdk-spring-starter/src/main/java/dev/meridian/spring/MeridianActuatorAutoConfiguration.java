package dev.meridian.spring;

import dev.meridian.core.MultiRegion;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
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
 * starts no probe: a probe's thread runs only when the application asked for one).
 */
@AutoConfiguration(after = {MeridianAutoConfiguration.class, MeridianDynamoDbAutoConfiguration.class})
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
                ObjectProvider<ReplicationLags> lags) {
            return new MeridianHealthIndicator(runtime, combined(lags), properties.getHealth().getMaxReplicationLag());
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
                ObjectProvider<ReplicationLags> lags) {
            return new MeridianEndpoint(runtime, combined(lags), properties.getHealth().getMaxReplicationLag());
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

    /** The worst of every source's measurement, or null when the application measures no lag. */
    private static ReplicationLags combined(ObjectProvider<ReplicationLags> provider) {
        List<ReplicationLags> all = provider.orderedStream().toList();
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : (source, destination) -> all.stream()
                .map(l -> l.lag(source, destination)).flatMap(Optional::stream).max(Comparator.<Duration>naturalOrder());
    }
}
