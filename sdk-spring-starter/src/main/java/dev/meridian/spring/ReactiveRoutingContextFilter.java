package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.routing.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.regions.Region;

/**
 * The WebFlux counterpart of {@link RoutingContextFilter}: the same headers, read the same way, into the same
 * {@link RoutingContext} (correlation id generated when absent and echoed in the response), and the same 400
 * {@code application/problem+json} answer naming a malformed header. A reactive request has no thread of its own, so
 * the context is not made current on a thread: it goes into the Reactor {@code Context} of the request's pipeline
 * under {@link MeridianReactive#CONTEXT_KEY} (the key of sdk-core's {@code RoutingContextAccessor}), where Reactor's
 * automatic context propagation (on by default with the starter) makes it current wherever the pipeline runs, and
 * {@link MeridianReactive}'s helpers make it current around a Meridian call. A request that names neither a data
 * class nor a subject country gets a context that is not declared, as with the servlet filter: the configured
 * defaults and {@code meridian.require-context} apply to its calls.
 */
@API(status = STABLE, since = "0.1")
public class ReactiveRoutingContextFilter implements WebFilter, Ordered {
    private static final Logger LOG = LoggerFactory.getLogger(ReactiveRoutingContextFilter.class);
    /** As the servlet filter's registration: before anything that may make a routed call. */
    static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    private final RoutingHeaders headers;

    /** A filter reading the headers named in {@code headers}; a region header must name one of {@code regions}. */
    public ReactiveRoutingContextFilter(MeridianProperties.Web headers, Collection<Region> regions) {
        this.headers = new RoutingHeaders(headers, regions);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        ServerHttpResponse response = exchange.getResponse();
        RoutingHeaders.Parsed parsed = headers.parse(request.getHeaders()::getFirst);
        if (parsed.correlationId() != null) {
            response.getHeaders().set(headers.names().getCorrelationIdHeader(), parsed.correlationId());
        }
        if (parsed.isRejected()) {
            String path = request.getPath().value();
            LOG.debug("Rejected {} {}: {}", request.getMethod(), path, parsed.problem());
            response.setStatusCode(HttpStatus.BAD_REQUEST);
            response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            byte[] body = RoutingHeaders.problemJson(parsed.problem(), path).getBytes(StandardCharsets.UTF_8);
            return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
        }
        return chain.filter(exchange).contextWrite(MeridianReactive.withRoutingContext(parsed.context()));
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
