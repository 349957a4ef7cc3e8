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
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * In a reactive (WebFlux) web application, the {@link ReactiveRoutingContextFilter} runs first on every request and
 * puts its {@code RoutingContext} into the Reactor context, where {@link MeridianReactive} finds it. Off with
 * {@code meridian.web.enabled=false}.
 */
@API(status = STABLE, since = "0.1")
@AutoConfiguration(after = MeridianAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({WebFilter.class, Mono.class})
@ConditionalOnBean(MultiRegion.class)
@ConditionalOnBooleanProperty(name = "meridian.web.enabled", matchIfMissing = true)
public class MeridianReactiveWebAutoConfiguration {

    /** The request filter, unless the application registers its own. */
    @Bean
    @ConditionalOnMissingBean(ReactiveRoutingContextFilter.class)
    ReactiveRoutingContextFilter meridianReactiveRoutingContextFilter(MeridianProperties properties,
            MultiRegionConfig config) {
        return new ReactiveRoutingContextFilter(properties.getWeb(), config.regionsByPriority());
    }
}
