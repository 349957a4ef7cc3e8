package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyKeyReuseException;
import dev.meridian.core.idempotency.InMemoryIdempotencyStore;
import dev.meridian.core.routing.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@link Idempotent} and its conditions, on sdk-core's in-memory store (the DynamoDB store: MeridianIdempotentIT). */
class MeridianIdempotentAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MeridianIdempotentAutoConfiguration.class))
            .withUserConfiguration(Orders.class);

    @Test
    void theMethodRunsOncePerRequestKeyAndDuplicatesGetTheFirstResult() {
        runner.withUserConfiguration(InMemory.class).run(ctx -> {
            OrderService service = ctx.getBean(OrderService.class);
            Placed first = under("key-1", () -> service.place(new NewOrder("book", 2)));
            Placed second = under("key-1", () -> service.place(new NewOrder("book", 2)));
            Placed other = under("key-2", () -> service.place(new NewOrder("book", 2)));
            assertThat(service.runs()).isEqualTo(2);
            assertThat(second).isEqualTo(first).isNotEqualTo(other);
        });
    }

    @Test
    void aKeyReusedWithAnotherPayloadIsRefused() {
        runner.withUserConfiguration(InMemory.class).run(ctx -> {
            OrderService service = ctx.getBean(OrderService.class);
            under("key-1", () -> service.place(new NewOrder("book", 2)));
            assertThatThrownBy(() -> under("key-1", () -> service.place(new NewOrder("book", 3))))
                    .isInstanceOf(IdempotencyKeyReuseException.class);
            assertThat(service.runs()).isEqualTo(1);
        });
    }

    @Test
    void theKeyAndPayloadExpressionsAreEvaluatedAgainstTheArguments() {
        runner.withUserConfiguration(InMemory.class).run(ctx -> {
            OrderService service = ctx.getBean(OrderService.class);
            service.charge("pay-1", new NewOrder("book", 2), "first attempt");
            service.charge("pay-1", new NewOrder("book", 2), "retry: the note is not part of the payload");
            service.charge("pay-2", new NewOrder("book", 2), "another payment");
            assertThat(service.runs()).isEqualTo(2);
        });
    }

    @Test
    void aMissingKeyFailsBeforeTheMethodRuns() {
        runner.withUserConfiguration(InMemory.class).run(ctx -> {
            OrderService service = ctx.getBean(OrderService.class);
            assertThatThrownBy(() -> service.place(new NewOrder("book", 1)))
                    .isInstanceOf(IdempotencyKeyMissingException.class).hasMessageContaining("Idempotency-Key");
            assertThatThrownBy(() -> service.charge(null, new NewOrder("book", 1), "n"))
                    .isInstanceOf(IdempotencyKeyMissingException.class).hasMessageContaining("key expression");
            assertThat(service.runs()).isEqualTo(0);
        });
    }

    @Test
    void checkedExceptionsReachTheCallerUnchangedAndReleaseTheKey() {
        runner.withUserConfiguration(InMemory.class).run(ctx -> {
            OrderService service = ctx.getBean(OrderService.class);
            assertThatThrownBy(() -> service.failing("k")).isInstanceOf(OutOfStockException.class)
                    .hasMessage("out of stock");
            assertThatThrownBy(() -> service.failing("k")).isInstanceOf(OutOfStockException.class);
            assertThat(service.runs()).as("a caller error releases the claim, so the retry ran").isEqualTo(2);
        });
    }

    @Test
    void voidMethodsRunOnce() {
        runner.withUserConfiguration(InMemory.class).run(ctx -> {
            OrderService service = ctx.getBean(OrderService.class);
            under("v", () -> {
                service.notify("x");
                service.notify("x");
                return null;
            });
            assertThat(service.runs()).isEqualTo(1);
        });
    }

    @Test
    void nothingWithoutAnIdempotencyBean() {
        runner.run(ctx -> {
            assertThat(ctx).doesNotHaveBean(IdempotentAspect.class);
            assertThat(ctx.getBean(OrderService.class).place(new NewOrder("book", 1))).isNotNull();
        });
    }

    @Test
    void nothingWithoutAspectJ() {
        runner.withUserConfiguration(InMemory.class).withClassLoader(new FilteredClassLoader("org.aspectj"))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx).doesNotHaveBean(IdempotentAspect.class);
                });
    }

    @Test
    void withoutJacksonPayloadsAreHashedByToStringAndOnlyTextResultsCanBeStored() {
        runner.withUserConfiguration(InMemory.class).withClassLoader(new FilteredClassLoader("tools.jackson"))
                .run(ctx -> {
                    assertThat(ctx.getBean(IdempotentSerialization.class)).isSameAs(IdempotentSerialization.plain());
                    OrderService service = ctx.getBean(OrderService.class);
                    service.charge("pay-1", new NewOrder("book", 2), "a");
                    service.charge("pay-1", new NewOrder("book", 2), "b");
                    assertThat(service.runs()).isEqualTo(1);
                    assertThatThrownBy(() -> under("k", () -> service.place(new NewOrder("book", 2))))
                            .isInstanceOf(IllegalStateException.class).hasMessageContaining("Jackson");
                    assertThat(service.runs()).as("refused before it ran").isEqualTo(1);
                });
    }

    @Test
    void theApplicationsSerializationWins() {
        IdempotentSerialization own = IdempotentSerialization.plain();
        runner.withUserConfiguration(InMemory.class).withBean(IdempotentSerialization.class, () -> own)
                .run(ctx -> assertThat(ctx.getBean(IdempotentSerialization.class)).isSameAs(own));
    }

    private static <T> T under(String requestKey, java.util.function.Supplier<T> call) {
        try (RoutingContext.Scope s = RoutingContext.builder().idempotencyKey(requestKey).open()) {
            return call.get();
        }
    }

    /** A checked caller error: the order was refused, nothing was applied. */
    public static class OutOfStockException extends Exception {
        private static final long serialVersionUID = 1L;

        OutOfStockException(String message) {
            super(message);
        }
    }

    public record NewOrder(String item, int quantity) {
    }

    public record Placed(String id, NewOrder order) {
    }

    /** A service with idempotent methods; counts the runs of their bodies. */
    public static class OrderService {
        private final AtomicInteger runs = new AtomicInteger();

        /** Through the proxy: a method, since a field read on a CGLIB proxy would see the proxy's own. */
        public int runs() {
            return runs.get();
        }

        @Idempotent
        public Placed place(NewOrder order) {
            return new Placed("o-" + runs.incrementAndGet(), order);
        }

        @Idempotent(key = "#paymentId", payload = "#order")
        public String charge(String paymentId, NewOrder order, String note) {
            return "receipt-" + runs.incrementAndGet();
        }

        @Idempotent(key = "#key")
        public String failing(String key) throws OutOfStockException {
            runs.incrementAndGet();
            throw new OutOfStockException("out of stock");
        }

        @Idempotent
        public void notify(String message) {
            runs.incrementAndGet();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Orders {
        @Bean
        OrderService orderService() {
            return new OrderService();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class InMemory {
        @Bean
        Idempotency idempotency() {
            return Idempotency.builder().store(new InMemoryIdempotencyStore()).build();
        }
    }
}
