package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * sdk-spring-starter/README.md, "Context across threads", on a real Tomcat: the request's {@code RoutingContext}
 * follows the request to {@code @Async} methods, Boot's application task executor, executors built with Boot's
 * builders, {@code Callable} (here on an MVC executor the application built itself: the starter's
 * {@code CallableProcessingInterceptor}), {@code WebAsyncTask} and {@code DeferredResult}; work that starts where no
 * context can be known (an executor the application built itself, its own {@code CompletableFuture.supplyAsync}) is a
 * call without a context; a pooled thread does not keep a request's context for later work; and
 * {@code meridian.context-propagation.enabled=false} turns propagation off.
 */
class ContextDoorsAcceptanceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<ConfigurableApplicationContext> APPS = new ArrayList<>();
    private static ConfigurableApplicationContext app;
    private static URI base;
    private static URI off;

    enum Door {
        REQUEST_THREAD(true), APPLICATION_TASK_EXECUTOR(true), BUILT_POOL(true), BUILT_SIMPLE(true),
        ASYNC_METHOD(true), CALLABLE(true), WEB_ASYNC_TASK(true), DEFERRED(true), OWN_EXECUTOR(false),
        SUPPLY_ASYNC(false);

        final boolean propagates;

        Door(boolean propagates) {
            this.propagates = propagates;
        }

        String path() {
            return "/ctx/" + name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    @BeforeContainer
    static void startApps() {
        app = app();
        base = uri(app);
        off = uri(app("meridian.context-propagation.enabled=false"));
    }

    private static ConfigurableApplicationContext app(String... extra) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ContextDoorsApp.class)
                .web(WebApplicationType.SERVLET)
                .properties("server.port=0", "spring.main.banner-mode=off",
                        "meridian.regions=eu-west-1,eu-central-1,us-east-1", "meridian.local-region=us-east-1")
                .properties(extra).run();
        APPS.add(context);
        return context;
    }

    private static URI uri(ConfigurableApplicationContext context) {
        return URI.create("http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort());
    }

    @AfterContainer
    static void stop() {
        APPS.forEach(ConfigurableApplicationContext::close);
    }

    private static String get(URI app, Door door, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(app.resolve(door.path())).GET();
        headers.forEach(b::header);
        HttpResponse<String> response = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", door, response.body()).isEqualTo(200);
        return response.body();
    }

    /** subject, data class, declared, correlation id, idempotency key, preferred region: what describe() shows. */
    private static String expected(String country, String dataClass, String correlation) {
        return String.join("\n", country, dataClass, "true", correlation, "", "eu-central-1", "");
    }

    private static final String NO_CONTEXT = String.join("\n", "", "", "false", "", "", "", "");

    @Property(tries = 60)
    void theRequestsContextReachesEveryDoorThatPropagatesAndNoOther(@ForAll Door door,
            @ForAll("countries") String country, @ForAll("dataClasses") String dataClass,
            @ForAll("correlationIds") String correlation) throws Exception {
        String seen = get(base, door, Map.of("X-Subject-Country", country, "X-Data-Class", dataClass,
                "X-Correlation-Id", correlation, "X-Meridian-Region", "eu-central-1"));

        assertThat(seen).as(door.name()).isEqualTo(door.propagates ? expected(country, dataClass, correlation)
                : NO_CONTEXT);
    }

    @Example
    void aPooledThreadKeepsNoRequestsContextForLaterWork() throws Exception {
        get(base, Door.BUILT_POOL, Map.of("X-Subject-Country", "DE", "X-Data-Class", "RESTRICTED"));
        ThreadPoolTaskExecutor pool = app.getBean(ContextDoorsApp.Doors.class).pool();
        // The pool's one thread ran the request's task; work submitted outside any request finds no context there.
        assertThat(pool.submit(ContextDoorsApp::here).get()).isEqualTo(NO_CONTEXT);
    }

    @Example
    void propagationOffLeavesAsyncWorkWithoutAContext() throws Exception {
        Map<String, String> headers = Map.of("X-Subject-Country", "DE", "X-Data-Class", "RESTRICTED");
        assertThat(get(off, Door.REQUEST_THREAD, headers)).startsWith("DE\nRESTRICTED\ntrue\n");
        for (Door door : List.of(Door.ASYNC_METHOD, Door.APPLICATION_TASK_EXECUTOR, Door.BUILT_POOL)) {
            assertThat(get(off, door, headers)).as(door.name()).isEqualTo(NO_CONTEXT);
        }
    }

    @Provide
    Arbitrary<String> countries() {
        return Arbitraries.strings().withCharRange('A', 'Z').ofLength(2);
    }

    @Provide
    Arbitrary<String> dataClasses() {
        return Arbitraries.of("PUBLIC", "INTERNAL", "RESTRICTED");
    }

    @Provide
    Arbitrary<String> correlationIds() {
        return Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').ofMinLength(1).ofMaxLength(40);
    }
}
