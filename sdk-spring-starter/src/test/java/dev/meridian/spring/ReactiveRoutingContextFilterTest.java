package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.regions.Region;

/**
 * The WebFlux filter: the servlet filter's headers, problems and answers (the same parser), the request's context in
 * the Reactor context where {@link MeridianReactive} makes it current on whichever thread runs the call, and the
 * auto-configuration's conditions.
 */
class ReactiveRoutingContextFilterTest {
    private static final List<Region> REGIONS = List.of(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1);
    private final ReactiveRoutingContextFilter filter = new ReactiveRoutingContextFilter(new MeridianProperties.Web(),
            REGIONS);
    private final AtomicReference<RoutingContext> seen = new AtomicReference<>();

    private MockServerWebExchange run(MockServerHttpRequest request) {
        MockServerWebExchange exchange = MockServerWebExchange.from(request);
        WebFilterChain chain = ex -> MeridianReactive.routingContext().doOnNext(seen::set).then();
        filter.filter(exchange, chain).block(Duration.ofSeconds(5));
        return exchange;
    }

    @Test
    void putsTheRequestsContextIntoTheReactorContext() {
        MockServerWebExchange exchange = run(MockServerHttpRequest.post("/orders")
                .header("X-Subject-Country", "de").header("X-Data-Class", "restricted")
                .header("X-Correlation-Id", "req-42").header("Idempotency-Key", "\"8e03978e-40d5-43e8\"")
                .header("X-Meridian-Region", "EU-Central-1").build());

        assertThat(exchange.getResponse().getStatusCode()).isNull(); // untouched: the handler decides
        assertThat(seen.get().subjectCountry()).contains("DE");
        assertThat(seen.get().dataClass()).isEqualTo(DataClass.RESTRICTED);
        assertThat(seen.get().correlationId()).contains("req-42");
        assertThat(seen.get().idempotencyKey()).contains("8e03978e-40d5-43e8");
        assertThat(seen.get().preferredRegion()).contains(Region.EU_CENTRAL_1);
        assertThat(exchange.getResponse().getHeaders().getFirst("X-Correlation-Id")).isEqualTo("req-42");
        assertThat(RoutingContext.current()).as("no thread was given the context").isSameAs(RoutingContext.empty());
    }

    @Test
    void returnsTheSessionTokenAfterAWriteAndNothingWithout() {
        SessionToken incoming = SessionToken.of(Region.EU_WEST_1, 1L << 40);
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.put("/orders/1")
                .header("Meridian-Session", incoming.format()).build());
        SessionToken written = SessionToken.of(Region.EU_CENTRAL_1, 1L << 41);
        filter.filter(exchange, ex -> MeridianReactive.routingContext().doOnNext(ctx -> {
            assertThat(ctx.session().flatMap(RoutingSession::token)).contains(incoming);
            ctx.session().orElseThrow().recordWrite(written);
        }).then(ex.getResponse().setComplete())).block(Duration.ofSeconds(5));
        // The caller's earlier write in eu-west-1 stays in the token beside this one in eu-central-1.
        assertThat(exchange.getResponse().getHeaders().getFirst("Meridian-Session"))
                .isEqualTo("2:eu-central-1:20000000000,eu-west-1:10000000000");

        MockServerWebExchange read = MockServerWebExchange.from(MockServerHttpRequest.get("/orders/1")
                .header("Meridian-Session", incoming.format()).build());
        filter.filter(read, ex -> ex.getResponse().setComplete()).block(Duration.ofSeconds(5));
        assertThat(read.getResponse().getHeaders().getFirst("Meridian-Session")).isNull();
    }

    @Test
    void generatesAndEchoesACorrelationIdWhenAbsent() {
        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/orders/1").build());

        String id = exchange.getResponse().getHeaders().getFirst("X-Correlation-Id");
        assertThat(id).isNotBlank();
        assertThat(seen.get().correlationId()).contains(id);
    }

    @Test
    void malformedHeadersGetTheSameProblemAsFromTheServletFilter() throws Exception {
        RoutingContextFilter servlet = new RoutingContextFilter(new MeridianProperties.Web(), REGIONS);
        String[][] bad = {{"X-Subject-Country", "DEU"}, {"X-Data-Class", "RESTRICTED;drop"},
                {"X-Correlation-Id", "a b"}, {"Idempotency-Key", "\"\""},
                {"X-Meridian-Region", "eu-west-1; drop"}, {"X-Meridian-Region", "ap-south-1"}};
        for (String[] header : bad) {
            seen.set(null);
            MockServerWebExchange exchange = run(MockServerHttpRequest.post("/orders").header(header[0], header[1])
                    .build());
            MockHttpServletRequest request = new MockHttpServletRequest("POST", "/orders");
            request.addHeader(header[0], header[1]);
            MockHttpServletResponse servletResponse = new MockHttpServletResponse();
            servlet.doFilter(request, servletResponse, new MockFilterChain());

            assertThat(exchange.getResponse().getStatusCode()).as(header[0]).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(exchange.getResponse().getHeaders().getContentType())
                    .isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            String body = exchange.getResponse().getBodyAsString().block(Duration.ofSeconds(5));
            assertThat(body).contains("\"status\":400").contains("Header " + header[0])
                    .contains("\"instance\":\"/orders\"").isEqualTo(servletResponse.getContentAsString());
            assertThat(seen.get()).as("the request did not run").isNull();
        }
    }

    @Test
    void theHelpersMakeTheContextCurrentOnTheThreadThatMakesTheCall() {
        RoutingContext request = RoutingContext.builder().subjectCountry("DE").build();
        AtomicReference<RoutingContext> duringCall = new AtomicReference<>();
        AtomicReference<String> thread = new AtomicReference<>();

        Mono<String> call = Mono.just("o-1").publishOn(Schedulers.boundedElastic())
                .flatMap(id -> MeridianReactive.fromFuture(() -> {
                    duringCall.set(RoutingContext.current());
                    thread.set(Thread.currentThread().getName());
                    return java.util.concurrent.CompletableFuture.completedFuture(id);
                }))
                .contextWrite(MeridianReactive.withRoutingContext(request));

        assertThat(call.block(Duration.ofSeconds(5))).isEqualTo("o-1");
        assertThat(duringCall.get()).isSameAs(request);
        assertThat(thread.get()).startsWith("boundedElastic");

        Mono<RoutingContext> blocking = MeridianReactive.fromCallable(RoutingContext::current)
                .subscribeOn(Schedulers.boundedElastic()).contextWrite(MeridianReactive.withRoutingContext(request));
        assertThat(blocking.block(Duration.ofSeconds(5))).isSameAs(request);
        assertThat(MeridianReactive.defer(() -> Mono.fromCallable(RoutingContext::current))
                .contextWrite(MeridianReactive.withRoutingContext(request)).blockFirst(Duration.ofSeconds(5)))
                .as("current while the publisher is made, not while it emits")
                .isSameAs(RoutingContext.empty());
        assertThat(RoutingContext.current()).isSameAs(RoutingContext.empty());
    }

    @Test
    void registeredInReactiveApplicationsOnlyAndUnlessDisabled() {
        ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianWebAutoConfiguration.class, MeridianReactiveWebAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1");
        reactive.run(ctx -> {
            assertThat(ctx).hasSingleBean(ReactiveRoutingContextFilter.class);
            assertThat(ctx).doesNotHaveBean(FilterRegistrationBean.class);
        });
        reactive.withPropertyValues("meridian.web.enabled=false").run(ctx ->
                assertThat(ctx).doesNotHaveBean(ReactiveRoutingContextFilter.class));
        reactive.withClassLoader(new FilteredClassLoader(Mono.class)).run(ctx ->
                assertThat(ctx).doesNotHaveBean(ReactiveRoutingContextFilter.class));
        reactive.withPropertyValues("meridian.enabled=false").run(ctx ->
                assertThat(ctx).doesNotHaveBean(ReactiveRoutingContextFilter.class));
        ReactiveRoutingContextFilter own = new ReactiveRoutingContextFilter(new MeridianProperties.Web(), REGIONS);
        reactive.withBean(ReactiveRoutingContextFilter.class, () -> own).run(ctx ->
                assertThat(ctx.getBean(ReactiveRoutingContextFilter.class)).isSameAs(own));

        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianWebAutoConfiguration.class, MeridianReactiveWebAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1").run(ctx -> {
                    assertThat(ctx).doesNotHaveBean(ReactiveRoutingContextFilter.class);
                    assertThat(ctx).hasSingleBean(FilterRegistrationBean.class);
                });
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianReactiveWebAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(ReactiveRoutingContextFilter.class));
    }
}
