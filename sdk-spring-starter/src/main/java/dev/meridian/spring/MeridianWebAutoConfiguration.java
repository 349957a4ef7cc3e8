package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import org.apiguardian.api.API;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * In a servlet web application, the {@link RoutingContextFilter} runs first on every request, so that everything the
 * request does (DynamoDB, JDBC, idempotency) is routed under its context. Off with {@code meridian.web.enabled=false}.
 */
@API(status = STABLE, since = "0.1")
@AutoConfiguration(after = MeridianAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(OncePerRequestFilter.class)
@ConditionalOnBean(MultiRegion.class)
@ConditionalOnBooleanProperty(name = "meridian.web.enabled", matchIfMissing = true)
public class MeridianWebAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(RoutingContextFilter.class)
    FilterRegistrationBean<RoutingContextFilter> meridianRoutingContextFilter(MeridianProperties properties,
            MultiRegionConfig config) {
        FilterRegistrationBean<RoutingContextFilter> registration =
                new FilterRegistrationBean<>(new RoutingContextFilter(properties.getWeb(), config.regionsByPriority()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        registration.setName("meridianRoutingContextFilter");
        return registration;
    }
}
