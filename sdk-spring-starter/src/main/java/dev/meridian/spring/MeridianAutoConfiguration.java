package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.apiguardian.api.API;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Meridian runtime: the {@link MultiRegionConfig} of the {@code meridian.*} properties and the one
 * {@link MultiRegion} (built with {@code MultiRegion.builder(config)}, as plain code and Lambda handlers build it),
 * its meters bound to the application's {@code MeterRegistry} and each regional attempt observed in its
 * {@code ObservationRegistry} ({@code meridian.call}) when it has them. Starts no thread unless hedged reads (on by
 * default, {@code meridian.hedge.mode=off} turns them off) or a health probe are on. Off with
 * {@code meridian.enabled=false}.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@API(status = STABLE, since = "0.1")
@ConditionalOnBooleanProperty(name = "meridian.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MeridianProperties.class)
public class MeridianAutoConfiguration {

    /** The topology and policies; invalid properties fail start-up with {@link MeridianFailureAnalyzer}'s report. */
    @Bean
    @ConditionalOnMissingBean
    public MultiRegionConfig meridianConfig(MeridianProperties properties) {
        return MeridianSettingsBinding.build(properties);
    }

    /**
     * With Micrometer on the class path: meters go to the application's registry, if it has one, and attempts are
     * observed in its observation registry, if it has one.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MeteredRuntime {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        MultiRegion multiRegion(MultiRegionConfig config, MeridianProperties properties,
                ObjectProvider<MeterRegistry> registry, ObjectProvider<ObservationRegistry> observations) {
            MultiRegion.Builder b = MultiRegion.builder(config);
            ControlSources.apply(b, properties.getControl(), config);
            registry.ifAvailable(b::meterRegistry);
            observations.ifAvailable(b::observationRegistry);
            return b.build();
        }
    }

    /**
     * Without micrometer-core: nothing is metered; attempts are still observed in the application's observation
     * registry (micrometer-observation comes with Spring Framework itself).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("io.micrometer.core.instrument.MeterRegistry")
    static class UnmeteredRuntime {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        MultiRegion multiRegion(MultiRegionConfig config, MeridianProperties properties,
                ObjectProvider<ObservationRegistry> observations) {
            MultiRegion.Builder b = MultiRegion.builder(config);
            ControlSources.apply(b, properties.getControl(), config);
            observations.ifAvailable(b::observationRegistry);
            return b.build();
        }
    }
}
