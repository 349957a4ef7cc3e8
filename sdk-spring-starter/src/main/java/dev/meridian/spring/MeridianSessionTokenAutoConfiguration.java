package dev.meridian.spring;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.routing.RoutingContext;
import java.util.Objects;
import org.apiguardian.api.API;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Read-your-writes across services: every {@code RestClient} and {@code WebClient} built from Boot's builders sends
 * the caller's session token ({@code meridian.web.session-header}, default {@code Meridian-Session}) and takes the
 * token a downstream service returns after a write into the caller's session. The request filters accept and return
 * the header. Off with {@code meridian.web.enabled=false}.
 */
@API(status = EXPERIMENTAL, since = "0.1")
@AutoConfiguration(after = MeridianAutoConfiguration.class)
@ConditionalOnBean(MultiRegion.class)
@ConditionalOnBooleanProperty(name = "meridian.web.enabled", matchIfMissing = true)
public class MeridianSessionTokenAutoConfiguration {

    /** The {@code RestClient} interceptor. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({RestClient.class, RestClientCustomizer.class})
    static class RestClientForwarding {
        @Bean
        RestClientCustomizer meridianSessionTokenRestClientCustomizer(MeridianProperties properties) {
            SessionTokenForwarding forwarding = new SessionTokenForwarding(properties.getWeb().getSessionHeader());
            return builder -> builder.requestInterceptor((request, body, execution) -> {
                RoutingContext ctx = RoutingContext.current();
                forwarding.outgoing(ctx).ifPresent(t -> request.getHeaders().set(forwarding.header(), t));
                ClientHttpResponse response = execution.execute(request, body);
                forwarding.returned(ctx, response.getHeaders().getFirst(forwarding.header()));
                return response;
            });
        }
    }

    /** The {@code WebClient} filter: the context is the pipeline's (Reactor context), else the thread's. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({WebClient.class, WebClientCustomizer.class, Mono.class})
    static class WebClientForwarding {
        @Bean
        WebClientCustomizer meridianSessionTokenWebClientCustomizer(MeridianProperties properties) {
            SessionTokenForwarding forwarding = new SessionTokenForwarding(properties.getWeb().getSessionHeader());
            return builder -> builder.filter((request, next) -> Mono.deferContextual(view -> {
                // getOrDefault with a non-null default never answers null.
                RoutingContext ctx = Objects.requireNonNull(
                        view.getOrDefault(MeridianReactive.CONTEXT_KEY, RoutingContext.current()), "context");
                ClientRequest sent = forwarding.outgoing(ctx)
                        .map(t -> ClientRequest.from(request).header(forwarding.header(), t).build())
                        .orElse(request);
                return next.exchange(sent).doOnNext(response -> forwarding.returned(ctx,
                        response.headers().asHttpHeaders().getFirst(forwarding.header())));
            }));
        }
    }
}
