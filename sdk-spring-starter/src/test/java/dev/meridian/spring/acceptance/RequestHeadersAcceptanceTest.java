package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Hooks;

/**
 * sdk-spring-starter/README.md, "Request headers" and the filters' rows of "What it configures", on real HTTP
 * servers (Tomcat, Spring MVC and WebFlux): every documented header value opens the documented context; a malformed
 * value, or a region that is not configured, is answered with 400 {@code application/problem+json} naming the header
 * before the handler runs; and "the same headers, checks and 400 answers (one parser serves both filters)": both
 * applications answer every request alike.
 */
class RequestHeadersAcceptanceTest {
    private static final String REGIONS = "eu-west-1,eu-central-1,us-east-1";
    private static final String CORRELATION_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<ConfigurableApplicationContext> APPS = new ArrayList<>();
    private static URI servlet;
    private static URI reactive;

    @BeforeContainer
    static void start() {
        servlet = start(HeaderApps.Servlet.class, WebApplicationType.SERVLET);
        reactive = start(HeaderApps.Reactive.class, WebApplicationType.REACTIVE);
    }

    @AfterContainer
    static void stop() {
        APPS.forEach(ConfigurableApplicationContext::close);
        APPS.clear();
        Hooks.disableAutomaticContextPropagation();
    }

    static URI start(Class<?> app, WebApplicationType type, String... extra) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(app).web(type)
                .properties("server.port=0", "spring.main.banner-mode=off", "meridian.regions=" + REGIONS,
                        "meridian.local-region=eu-west-1")
                .properties(extra).run();
        APPS.add(context);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return URI.create("http://localhost:" + port + "/ctx");
    }

    /** One request's headers and what the README says comes of them. */
    record Case(Map<String, String> headers, Optional<String> rejectedHeader, String expectedContext) {
        @Override
        public String toString() {
            return headers + " -> " + rejectedHeader.map(h -> "400 naming " + h).orElse(expectedContext);
        }
    }

    record Answer(int status, String contentType, String body, Optional<String> correlationEcho) {
    }

    @Property(tries = 150)
    void everyHeaderValueIsAnsweredAsDocumentedAndAlikeByBothFilters(@ForAll("cases") Case c) throws Exception {
        for (URI app : List.of(servlet, reactive)) {
            AtomicInteger runs = app == servlet ? HeaderApps.SERVLET_RUNS : HeaderApps.REACTIVE_RUNS;
            int before = runs.get();
            Answer answer = send(app, c.headers());
            if (c.rejectedHeader().isPresent()) {
                assertThat(answer.status()).as("%s: %s", app, answer.body()).isEqualTo(400);
                assertThat(answer.contentType()).as(app.toString()).startsWith("application/problem+json");
                assertThat(answer.body()).as(app.toString()).contains(c.rejectedHeader().get());
                assertThat(runs.get()).as("the handler ran at %s", app).isEqualTo(before);
            } else {
                assertThat(answer.status()).as("%s: %s", app, answer.body()).isEqualTo(200);
                String[] seen = answer.body().split("\n", -1);
                String[] expected = c.expectedContext().split("\n", -1);
                String correlation = c.headers().get("X-Correlation-Id");
                assertThat(List.of(seen[0], seen[1], seen[2], seen[4], seen[5])).as(app.toString())
                        .containsExactly(expected[0], expected[1], expected[2], expected[4], expected[5]);
                if (correlation != null) {
                    assertThat(seen[3]).as(app.toString()).isEqualTo(correlation);
                } else {
                    assertThat(seen[3]).as("generated when absent (%s)", app).isNotEmpty()
                            .matches("[A-Za-z0-9._:-]{1,128}");
                }
                assertThat(answer.correlationEcho()).as("echoed in the response (%s)", app).contains(seen[3]);
                if (app == servlet) {
                    assertThat(seen[6]).as("the MDC's correlationId").isEqualTo(seen[3]);
                }
            }
        }
    }

    @Example
    void renamedHeadersAreReadUnderTheirNewNamesOnly() throws Exception {
        String[] renamed = {"meridian.web.subject-country-header=X-Country", "meridian.web.data-class-header=X-Class",
            "meridian.web.correlation-id-header=X-Request-Id", "meridian.web.region-header=X-Region"};
        for (URI app : List.of(start(HeaderApps.Servlet.class, WebApplicationType.SERVLET, renamed),
                start(HeaderApps.Reactive.class, WebApplicationType.REACTIVE, renamed))) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("X-Country", "fr");
            headers.put("X-Class", "restricted");
            headers.put("X-Request-Id", "req-7");
            headers.put("X-Region", "EU-CENTRAL-1");
            HttpResponse<String> response = HTTP.send(request(app, headers), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).startsWith("FR\nRESTRICTED\ntrue\nreq-7\n\neu-central-1\n");
            assertThat(response.headers().firstValue("X-Request-Id")).contains("req-7");

            // The default names mean nothing now, even malformed.
            HttpResponse<String> old = HTTP.send(request(app, Map.of("X-Subject-Country", "not a country",
                    "X-Meridian-Region", "nowhere")), HttpResponse.BodyHandlers.ofString());
            assertThat(old.statusCode()).as(old.body()).isEqualTo(200);
            assertThat(old.body()).startsWith("\n\nfalse\n");

            HttpResponse<String> bad = HTTP.send(request(app, Map.of("X-Region", "ap-south-1")),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("X-Region");
        }
    }

    private static Answer send(URI app, Map<String, String> headers) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request(app, headers), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
                r.headers().firstValue("X-Correlation-Id"));
    }

    private static HttpRequest request(URI app, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(app).GET();
        headers.forEach(b::header);
        return b.build();
    }

    // ---- the cases: each header absent, valid in one of its documented forms, or malformed ----

    /** A header's part of a case: its value (null: absent), the context field it sets, whether it is malformed. */
    record Part(String header, String value, String field, boolean malformed) {
        static Part absent(String header) {
            return new Part(header, null, "", false);
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(subjectCountries(), dataClasses(), correlationIds(), idempotencyKeys(),
                regionHeaders(), sessionTokens()).as((country, dataClass, correlation, key, region, session) -> {
                    List<Part> parts = List.of(country, dataClass, correlation, key, region, session);
                    Map<String, String> headers = new LinkedHashMap<>();
                    parts.stream().filter(p -> p.value() != null).forEach(p -> headers.put(p.header(), p.value()));
                    Optional<String> rejected = parts.stream().filter(Part::malformed).map(Part::header).findFirst();
                    boolean declared = country.value() != null || dataClass.value() != null;
                    String expected = String.join("\n", country.field(), dataClass.field(), String.valueOf(declared),
                            correlation.field(), key.field(), region.field(), "");
                    long malformed = parts.stream().filter(Part::malformed).count();
                    // With two malformed headers either may be named: keep the cases where one is.
                    return malformed > 1 ? null : new Case(headers, rejected, expected);
                }).filter(c -> c != null);
    }

    private static Arbitrary<Part> subjectCountries() {
        String h = "X-Subject-Country";
        Arbitrary<String> alpha2 = Arbitraries.strings().withCharRange('A', 'Z').withCharRange('a', 'z').ofLength(2);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Part.absent(h))),
                Tuple.of(4, alpha2.map(v -> new Part(h, v, v.toUpperCase(Locale.ROOT), false))),
                Tuple.of(1, Arbitraries.of("DEU", "D", "1A", "D-", "de de")
                        .map(v -> new Part(h, v, "", true))));
    }

    private static Arbitrary<Part> dataClasses() {
        String h = "X-Data-Class";
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Part.absent(h))),
                Tuple.of(4, Arbitraries.of("PUBLIC", "INTERNAL", "RESTRICTED").flatMap(v -> Arbitraries.of(
                        v, v.toLowerCase(Locale.ROOT), v.charAt(0) + v.substring(1).toLowerCase(Locale.ROOT)))
                        .map(v -> new Part(h, v, v.toUpperCase(Locale.ROOT), false))));
    }

    private static Arbitrary<Part> correlationIds() {
        String h = "X-Correlation-Id";
        Arbitrary<String> valid = Arbitraries.strings().withChars(CORRELATION_CHARS).ofMinLength(1).ofMaxLength(128);
        Arbitrary<String> tooLong = Arbitraries.strings().withChars(CORRELATION_CHARS).ofMinLength(129).ofMaxLength(300);
        Arbitrary<String> badChar = Combinators.combine(valid, Arbitraries.of('/', '#', '!', '"', '(', ',', ';', '@'))
                .as((v, bad) -> v.substring(0, Math.min(v.length(), 60)) + bad);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Part.absent(h))),
                Tuple.of(4, valid.map(v -> new Part(h, v, v, false))),
                Tuple.of(1, Arbitraries.oneOf(tooLong, badChar).map(v -> new Part(h, v, "", true))));
    }

    /** "IETF draft: a quoted string (a bare token is accepted), 1–255 printable ASCII". */
    private static Arbitrary<Part> idempotencyKeys() {
        String h = "Idempotency-Key";
        // Printable ASCII but the quoted string's own '"' and '\', starting and ending visibly (HTTP trims values).
        Arbitrary<String> visible = Arbitraries.chars().range('!', '~').filter(ch -> ch != '"' && ch != '\\')
                .map(String::valueOf);
        Arbitrary<String> inner = Arbitraries.chars().range(' ', '~').filter(ch -> ch != '"' && ch != '\\')
                .list().ofMaxSize(253).map(l -> l.stream().map(String::valueOf).reduce("", String::concat));
        Arbitrary<String> content = Combinators.combine(visible, inner, visible)
                .as((a, m, z) -> (a + m + z)).map(s -> s.length() > 255 ? s.substring(0, 255) : s)
                .filter(s -> s.charAt(s.length() - 1) != ' ');
        Arbitrary<String> token = Arbitraries.strings().withChars(CORRELATION_CHARS).ofMinLength(1).ofMaxLength(255)
                .filter(s -> Character.isLetter(s.charAt(0)));
        Arbitrary<String> tooLong = Arbitraries.strings().withCharRange('a', 'z').ofLength(256);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Part.absent(h))),
                Tuple.of(3, content.map(v -> new Part(h, "\"" + v + "\"", v, false))),
                Tuple.of(2, token.map(v -> new Part(h, v, v, false))),
                Tuple.of(1, Arbitraries.oneOf(tooLong.map(v -> "\"" + v + "\""), Arbitraries.just("\"\""))
                        .map(v -> new Part(h, v, "", true))));
    }

    /** "one of {@code meridian.regions} (any case)"; a region that is not configured: 400. */
    private static Arbitrary<Part> regionHeaders() {
        String h = "X-Meridian-Region";
        Arbitrary<String> configured = Arbitraries.of(REGIONS.split(","));
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Part.absent(h))),
                Tuple.of(3, configured.flatMap(r -> anyCase(r).map(v -> new Part(h, v, r, false)))),
                Tuple.of(1, Arbitraries.of("ap-south-1", "us-west-2", "eu", "eu-west-1,us-east-1")
                        .map(v -> new Part(h, v, "", true))));
    }

    /** "{@code 1:<region>:<hex HLC stamp>}"; malformed, or naming a region that is not configured: 400. */
    private static Arbitrary<Part> sessionTokens() {
        String h = "Meridian-Session";
        Arbitrary<String> valid = Combinators.combine(Arbitraries.of(REGIONS.split(",")),
                Arbitraries.longs().between(1, Long.MAX_VALUE)).as((r, stamp) -> "1:" + r + ":" + Long.toHexString(stamp));
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(Part.absent(h))),
                Tuple.of(2, valid.map(v -> new Part(h, v, "", false))),
                Tuple.of(1, Arbitraries.of("1:ap-south-1:18c3a0f2b4e0001", "1:eu-west-1:not-hex", "garbage",
                        "1:eu-west-1", "1::18c3a0f2b4e0001").map(v -> new Part(h, v, "", true))));
    }

    private static Arbitrary<String> anyCase(String s) {
        return Arbitraries.integers().between(0, (1 << Math.min(s.length(), 20)) - 1).map(mask -> {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                b.append((mask >> (i % 20) & 1) == 1 ? Character.toUpperCase(s.charAt(i)) : s.charAt(i));
            }
            return b.toString();
        });
    }
}
