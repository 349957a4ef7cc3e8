package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.spring.MeridianReactive;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * sdk-spring-starter/README.md, "WebFlux", without the starter's automatic propagation: "make each Meridian call
 * through {@code MeridianReactive}, which opens the request's context on whichever thread makes the call, exactly
 * while it is made"; "For pipelines that do not start at a request,
 * {@code contextWrite(MeridianReactive.withRoutingContext(ctx))} puts one in"; "a call made without the helpers runs
 * under whatever context its thread has, usually none".
 */
class MeridianReactiveAcceptanceTest {
    private static final RoutingContext GERMAN = RoutingContext.builder().subjectCountry("DE")
            .dataClass(DataClass.RESTRICTED).correlationId("job-1").build();

    private static String seen() {
        RoutingContext c = RoutingContext.current();
        return c.subjectCountry().orElse("-") + "/" + (c.isDataClassDeclared() ? c.dataClass().name() : "-");
    }

    @Test
    void theHelpersOpenTheContextOnWhicheverThreadMakesTheCallAndOnlyWhileItIsMade() {
        Mono<String> callable = MeridianReactive.fromCallable(MeridianReactiveAcceptanceTest::seen)
                .subscribeOn(Schedulers.boundedElastic());
        Mono<String> future = MeridianReactive.fromFuture(() -> CompletableFuture.completedFuture(seen()));
        Flux<String> deferred = MeridianReactive.defer(() -> Flux.just(seen(), seen()))
                .subscribeOn(Schedulers.parallel());
        Mono<String> plain = Mono.fromCallable(MeridianReactiveAcceptanceTest::seen)
                .subscribeOn(Schedulers.boundedElastic());

        List<String> results = Flux.concat(callable, future, deferred, plain, MeridianReactive.routingContext()
                .map(c -> c.correlationId().orElse("-")))
                .contextWrite(MeridianReactive.withRoutingContext(GERMAN))
                .collectList().block(Duration.ofSeconds(10));

        assertThat(results).containsExactly("DE/RESTRICTED", "DE/RESTRICTED", "DE/RESTRICTED", "DE/RESTRICTED",
                "-/-", "job-1");
        // Nothing left behind on the threads the calls ran on.
        assertThat(Mono.fromCallable(MeridianReactiveAcceptanceTest::seen).subscribeOn(Schedulers.boundedElastic())
                .block(Duration.ofSeconds(10))).isEqualTo("-/-");
        assertThat(seen()).isEqualTo("-/-");
    }

    @Test
    void withoutAContextInThePipelineTheHelpersRunWithoutOne() {
        assertThat(MeridianReactive.fromCallable(MeridianReactiveAcceptanceTest::seen)
                .subscribeOn(Schedulers.boundedElastic()).block(Duration.ofSeconds(10))).isEqualTo("-/-");
        // routingContext(): "the subscriber's, or RoutingContext.empty()" (its Javadoc).
        assertThat(MeridianReactive.routingContext().block(Duration.ofSeconds(10)).isDeclared()).isFalse();
    }
}
