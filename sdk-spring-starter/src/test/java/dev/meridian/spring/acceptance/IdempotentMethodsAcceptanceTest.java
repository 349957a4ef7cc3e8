package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyKeyReuseException;
import dev.meridian.core.idempotency.IdempotencyResultNotStoredException;
import dev.meridian.core.idempotency.InMemoryIdempotencyStore;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.spring.IdempotencyKeyMissingException;
import dev.meridian.spring.Idempotent;
import dev.meridian.spring.MeridianIdempotentAutoConfiguration;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;

/**
 * sdk-spring-starter/README.md, "Idempotent methods": a duplicate gets the stored result without running the method,
 * whatever the method's return type ("stored with a {@code ResultCodec} for the method's generic return type
 * (Jackson)"), the key and its record name, payload reuse, a missing key, a null result. Jackson 3 is on this class
 * path, so results go through JSON. The store is sdk-core's in-memory one: the claims here are the aspect's.
 */
class IdempotentMethodsAcceptanceTest {
    private static ConfigurableApplicationContext context;
    private static Service service;

    @BeforeContainer
    static void start() {
        context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off").run();
        service = context.getBean(Service.class);
    }

    @AfterContainer
    static void stop() {
        context.close();
    }

    public record Receipt(String id, long cents, List<String> lines) {
    }

    public record Page<T>(List<T> items, Optional<String> next) {
    }

    /** A return shape: the method that returns it, made from a seed value. */
    enum Shape {
        LIST_OF_RECORDS, MAP_OF_RECORDS, OPTIONAL_RECORD, EMPTY_OPTIONAL, ARRAY_OF_RECORDS, GENERIC_RECORD, INT, LONG,
        BIG_DECIMAL, INSTANT, SET_OF_STRINGS, BYTES, STRING, NESTED_LISTS
    }

    @Property(tries = 120)
    void aDuplicateGetsTheFirstResultWithItsTypesWhateverTheReturnType(@ForAll Shape shape,
            @ForAll("receipts") Receipt seed) {
        String key = UUID.randomUUID().toString();
        int before = service.runs();
        Object first = call(shape, key, seed);
        Object second = call(shape, key, seed);

        assertThat(service.runs()).as("runs of the method").isEqualTo(before + 1);
        // Equal as values of the declared type (a Set replayed may iterate in another order; arrays element-wise).
        if (first.getClass().isArray()) {
            assertThat(second).as(shape.name()).usingRecursiveComparison().isEqualTo(first);
        } else {
            assertThat(second).as(shape.name()).isEqualTo(first);
        }
        assertThat(second).as(shape.name()).isInstanceOf(nominalType(first));
        switch (shape) {
            case LIST_OF_RECORDS -> assertThat((List<?>) second).allMatch(Receipt.class::isInstance);
            case MAP_OF_RECORDS -> assertThat(((Map<?, ?>) second).values()).allMatch(Receipt.class::isInstance);
            case OPTIONAL_RECORD -> assertThat((Optional<?>) second).containsInstanceOf(Receipt.class);
            case GENERIC_RECORD -> assertThat(((Page<?>) second).items()).allMatch(Receipt.class::isInstance);
            case NESTED_LISTS -> assertThat((List<?>) second).allMatch(l -> ((List<?>) l).stream()
                    .allMatch(Receipt.class::isInstance));
            default -> {
            }
        }
    }

    /** The interface a caller sees: what it may compare a replay with. */
    private static Class<?> nominalType(Object first) {
        for (Class<?> c : List.of(List.class, Map.class, Set.class, Optional.class)) {
            if (c.isInstance(first)) {
                return c;
            }
        }
        return first.getClass();
    }

    private static Object call(Shape shape, String key, Receipt r) {
        return switch (shape) {
            case LIST_OF_RECORDS -> service.list(key, r);
            case MAP_OF_RECORDS -> service.map(key, r);
            case OPTIONAL_RECORD -> service.optional(key, r);
            case EMPTY_OPTIONAL -> service.emptyOptional(key, r);
            case ARRAY_OF_RECORDS -> service.array(key, r);
            case GENERIC_RECORD -> service.page(key, r);
            case INT -> service.anInt(key, r);
            case LONG -> service.aLong(key, r);
            case BIG_DECIMAL -> service.decimal(key, r);
            case INSTANT -> service.instant(key, r);
            case SET_OF_STRINGS -> service.set(key, r);
            case BYTES -> service.bytes(key, r);
            case STRING -> service.string(key, r);
            case NESTED_LISTS -> service.nested(key, r);
        };
    }

    @Example
    void theRequestsKeyIsTheDefaultAndTwoMethodsKeepSeparateRecords() {
        int before = service.runs();
        try (RoutingContext.Scope s = RoutingContext.builder().idempotencyKey("req-" + UUID.randomUUID()).open()) {
            String a = service.byRequestKey("x");
            String b = service.otherByRequestKey("x");
            assertThat(service.byRequestKey("x")).isEqualTo(a);
            assertThat(service.otherByRequestKey("x")).isEqualTo(b);
        }
        assertThat(service.runs()).isEqualTo(before + 2);
    }

    @Example
    void theSameKeyWithAnotherPayloadIsRefused() {
        String key = UUID.randomUUID().toString();
        service.string(key, new Receipt("a", 1, List.of()));
        assertThatThrownBy(() -> service.string(key, new Receipt("b", 1, List.of())))
                .isInstanceOf(IdempotencyKeyReuseException.class);
    }

    @Property(tries = 10)
    void aMissingNullOrBlankKeyFailsBeforeTheMethodRuns(@ForAll("blankKeys") Optional<String> key) {
        int before = service.runs();
        assertThatThrownBy(() -> service.string(key.orElse(null), new Receipt("a", 1, List.of())))
                .isInstanceOf(IdempotencyKeyMissingException.class);
        try (RoutingContext.Scope s = RoutingContext.builder().correlationId("no-key").open()) {
            assertThatThrownBy(() -> service.byRequestKey("x")).isInstanceOf(IdempotencyKeyMissingException.class);
        }
        assertThat(service.runs()).isEqualTo(before);
    }

    @Example
    void aNullResultIsNotStoredAndTheMethodDoesNotRunAgainUnderItsKey() {
        String key = UUID.randomUUID().toString();
        int before = service.runs();
        assertThatThrownBy(() -> service.nothing(key)).isInstanceOf(IdempotencyResultNotStoredException.class);
        try {
            service.nothing(key);
        } catch (RuntimeException refused) {
            // Whatever the duplicate is told, the method must not run again.
        }
        assertThat(service.runs()).isEqualTo(before + 1);
    }

    /**
     * An asynchronous method's result is a promise, not the outcome: storing it would acknowledge work that has not
     * happened (and may yet fail) and replay something that is not the first call's result. Such a method cannot be
     * guarded and fails before it runs, naming it, as a method whose result cannot be stored does.
     */
    @Example
    void aMethodReturningAFutureOrAPublisherFailsBeforeItRuns() {
        int before = service.runs();
        String key = UUID.randomUUID().toString();
        assertThatThrownBy(() -> service.future(key)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Service.future").hasMessageContaining("CompletableFuture");
        assertThatThrownBy(() -> service.stage(key)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Service.stage").hasMessageContaining("CompletionStage");
        assertThatThrownBy(() -> service.publisher(key)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Service.publisher").hasMessageContaining("Mono");
        assertThat(service.runs()).isEqualTo(before);
    }

    @Provide
    Arbitrary<Receipt> receipts() {
        return Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12),
                Arbitraries.longs().between(-1_000_000, 1_000_000_000_000L),
                Arbitraries.strings().ofMaxLength(20).list().ofMaxSize(4)).as(Receipt::new);
    }

    @Provide
    Arbitrary<Optional<String>> blankKeys() {
        return Arbitraries.of(Optional.empty(), Optional.of(""), Optional.of(" "), Optional.of("\t "));
    }

    /** Idempotent methods of every return shape; counts the runs of their bodies. */
    public static class Service {
        private final AtomicInteger runs = new AtomicInteger();

        public int runs() {
            return runs.get();
        }

        private <T> T run(Receipt r, Function<Receipt, T> body) {
            runs.incrementAndGet();
            return body.apply(r);
        }

        @Idempotent(key = "#key")
        public List<Receipt> list(String key, Receipt r) {
            return run(r, x -> List.of(x, new Receipt(x.id() + "-2", x.cents() + 1, x.lines())));
        }

        @Idempotent(key = "#key")
        public Map<String, Receipt> map(String key, Receipt r) {
            return run(r, x -> {
                Map<String, Receipt> m = new LinkedHashMap<>();
                m.put(x.id(), x);
                m.put("b" + x.id(), x);
                return m;
            });
        }

        @Idempotent(key = "#key")
        public Optional<Receipt> optional(String key, Receipt r) {
            return run(r, Optional::of);
        }

        @Idempotent(key = "#key")
        public Optional<Receipt> emptyOptional(String key, Receipt r) {
            return run(r, x -> Optional.empty());
        }

        @Idempotent(key = "#key")
        public Receipt[] array(String key, Receipt r) {
            return run(r, x -> new Receipt[] {x, x});
        }

        @Idempotent(key = "#key")
        public Page<Receipt> page(String key, Receipt r) {
            return run(r, x -> new Page<>(List.of(x), Optional.of(x.id())));
        }

        @Idempotent(key = "#key")
        public int anInt(String key, Receipt r) {
            return run(r, x -> (int) x.cents());
        }

        @Idempotent(key = "#key")
        public long aLong(String key, Receipt r) {
            return run(r, Receipt::cents);
        }

        @Idempotent(key = "#key")
        public BigDecimal decimal(String key, Receipt r) {
            return run(r, x -> BigDecimal.valueOf(x.cents(), 2));
        }

        @Idempotent(key = "#key")
        public Instant instant(String key, Receipt r) {
            return run(r, x -> Instant.ofEpochMilli(Math.abs(x.cents())).plusNanos(123));
        }

        @Idempotent(key = "#key")
        public Set<String> set(String key, Receipt r) {
            return run(r, x -> new TreeSet<>(x.lines()));
        }

        @Idempotent(key = "#key")
        public byte[] bytes(String key, Receipt r) {
            return run(r, x -> x.id().getBytes(StandardCharsets.UTF_8));
        }

        @Idempotent(key = "#key")
        public String string(String key, Receipt r) {
            return run(r, Receipt::id);
        }

        @Idempotent(key = "#key")
        public List<List<Receipt>> nested(String key, Receipt r) {
            return run(r, x -> List.of(List.of(x), List.of()));
        }

        @Idempotent
        public String byRequestKey(String arg) {
            return run(null, x -> "a-" + runs.get());
        }

        @Idempotent
        public String otherByRequestKey(String arg) {
            return run(null, x -> "b-" + runs.get());
        }

        @Idempotent(key = "#key")
        public CompletableFuture<String> future(String key) {
            return run(null, x -> CompletableFuture.supplyAsync(() -> "later"));
        }

        @Idempotent(key = "#key")
        public CompletionStage<String> stage(String key) {
            return run(null, x -> CompletableFuture.completedFuture("now"));
        }

        @Idempotent(key = "#key")
        public Mono<String> publisher(String key) {
            return run(null, x -> Mono.just("now"));
        }

        @Idempotent(key = "#key")
        public String nothing(String key) {
            return run(null, x -> null);
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(MeridianIdempotentAutoConfiguration.class)
    static class App {
        @Bean
        Idempotency idempotency() {
            return Idempotency.builder().store(new InMemoryIdempotencyStore()).build();
        }

        @Bean
        Service service() {
            return new Service();
        }
    }
}
