package dev.meridian.spring.acceptance;

import dev.meridian.core.routing.RoutingContext;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianContextPropagationAutoConfiguration;
import dev.meridian.spring.MeridianReactive;
import dev.meridian.spring.MeridianReactiveWebAutoConfiguration;
import dev.meridian.spring.MeridianWebAutoConfiguration;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.MDC;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Two applications a user would write, with no Meridian code: a Spring MVC one and a WebFlux one, each with one
 * endpoint {@code GET /ctx} that answers with the routing context its handler runs under ({@link #describe}) and
 * counts its runs, so a test sees whether a request reached the handler at all.
 */
final class HeaderApps {
    static final AtomicInteger SERVLET_RUNS = new AtomicInteger();
    static final AtomicInteger REACTIVE_RUNS = new AtomicInteger();

    private HeaderApps() {
    }

    /**
     * {@code subject, dataClass, declared, correlationId, idempotencyKey, preferredRegion, mdc}, one a line (no header
     * value holds a line break); absent values empty.
     */
    static String describe(RoutingContext c, String mdc) {
        return String.join("\n", c.subjectCountry().orElse(""), c.isDataClassDeclared() ? c.dataClass().name() : "",
                String.valueOf(c.isDeclared()), c.correlationId().orElse(""), c.idempotencyKey().orElse(""),
                c.preferredRegion().map(Object::toString).orElse(""), mdc == null ? "" : mdc);
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration({TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
            WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
            MeridianAutoConfiguration.class, MeridianWebAutoConfiguration.class,
            MeridianContextPropagationAutoConfiguration.class})
    static class Servlet {
        @Bean
        CtxController ctxController() {
            return new CtxController();
        }
    }

    @RestController
    static class CtxController {
        @GetMapping("/ctx")
        String ctx() {
            SERVLET_RUNS.incrementAndGet();
            return describe(RoutingContext.current(), MDC.get("correlationId"));
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration({TomcatReactiveWebServerAutoConfiguration.class, HttpHandlerAutoConfiguration.class,
            WebFluxAutoConfiguration.class, CodecsAutoConfiguration.class, MeridianAutoConfiguration.class,
            MeridianReactiveWebAutoConfiguration.class, MeridianContextPropagationAutoConfiguration.class})
    static class Reactive {
        /**
         * Answers with the context {@link MeridianReactive#routingContext()} reads, and fails the request when the
         * context current on a bounded-elastic thread, after a timer on the parallel scheduler, and on a parallel
         * thread (automatic propagation: "in every operator, on every scheduler") is not the same one.
         */
        @Bean
        RouterFunction<ServerResponse> ctx() {
            return RouterFunctions.route().GET("/ctx", request -> MeridianReactive.routingContext()
                    .doOnNext(c -> REACTIVE_RUNS.incrementAndGet())
                    .publishOn(Schedulers.boundedElastic())
                    .map(c -> sameOnThisThread(c, "bounded-elastic"))
                    .delayElement(Duration.ofMillis(1))
                    .map(c -> sameOnThisThread(c, "after a delay"))
                    .publishOn(Schedulers.parallel())
                    .map(c -> sameOnThisThread(c, "parallel"))
                    .map(c -> describe(c, ""))
                    .flatMap(body -> ServerResponse.ok().bodyValue(body))
                    .switchIfEmpty(Mono.defer(() -> ServerResponse.ok().bodyValue("NO CONTEXT")))).build();
        }

        private static RoutingContext sameOnThisThread(RoutingContext c, String where) {
            String onThread = describe(RoutingContext.current(), null);
            if (!describe(c, null).equals(onThread)) {
                throw new IllegalStateException("another context " + where + ": " + onThread);
            }
            return c;
        }
    }
}
