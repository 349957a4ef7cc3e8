package dev.meridian.spring;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import io.micrometer.core.instrument.MeterRegistry;
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
 * its meters bound to the application's {@code MeterRegistry} when there is one. Starts no thread unless hedging or
 * a health probe is configured. Off with {@code meridian.enabled=false}.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnBooleanProperty(name = "meridian.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MeridianProperties.class)
public class MeridianAutoConfiguration {

    /** The topology and policies; invalid properties fail start-up with {@link MeridianFailureAnalyzer}'s report. */
    @Bean
    @ConditionalOnMissingBean
    public MultiRegionConfig meridianConfig(MeridianProperties properties) {
        return MeridianConfigs.build(properties);
    }

    /** With Micrometer on the class path: meters go to the application's registry, if it has one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MeteredRuntime {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        MultiRegion multiRegion(MultiRegionConfig config, ObjectProvider<MeterRegistry> registry) {
            MultiRegion.Builder b = MultiRegion.builder(config);
            registry.ifAvailable(b::meterRegistry);
            return b.build();
        }
    }

    /** Without Micrometer: nothing is metered. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("io.micrometer.core.instrument.MeterRegistry")
    static class UnmeteredRuntime {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        MultiRegion multiRegion(MultiRegionConfig config) {
            return MultiRegion.builder(config).build();
        }
    }
}
