package dev.meridian.spring;

import dev.meridian.core.MultiRegion;
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

/** Actuator: the {@code meridian} health indicator and the {@code /actuator/meridian} endpoint. */
@AutoConfiguration(after = MeridianAutoConfiguration.class)
@ConditionalOnBean(MultiRegion.class)
public class MeridianActuatorAutoConfiguration {

    /** The regions' health, UP-but-degraded while one region is out. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("meridian")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "meridianHealthIndicator")
        MeridianHealthIndicator meridianHealthIndicator(MultiRegion runtime) {
            return new MeridianHealthIndicator(runtime);
        }
    }

    /** The endpoint, when exposed. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
    static class Management {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        MeridianEndpoint meridianEndpoint(MultiRegion runtime) {
            return new MeridianEndpoint(runtime);
        }
    }
}
