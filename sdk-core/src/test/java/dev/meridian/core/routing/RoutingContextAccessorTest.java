package dev.meridian.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.residency.DataClass;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class RoutingContextAccessorTest {
    private static final RoutingContext GERMAN = RoutingContext.builder().dataClass(DataClass.RESTRICTED)
            .subjectCountry("DE").correlationId("req-1").build();

    private final ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().build();
    private ExecutorService executor;

    @BeforeEach
    void start() {
        executor = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void isRegisteredThroughServiceLoading() {
        assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
                .anyMatch(a -> a.key().equals(RoutingContextAccessor.KEY) && a instanceof RoutingContextAccessor);
    }

    @Test
    void aWrappedTaskRunsUnderTheCapturedContextAndCorrelationIdAndTheThreadIsRestoredAfter() throws Exception {
        Runnable task;
        try (RoutingContext.Scope s = GERMAN.open()) {
            task = snapshots.captureAll().wrap(() -> { });
        }
        AtomicReference<RoutingContext> seen = new AtomicReference<>();
        AtomicReference<String> mdc = new AtomicReference<>();
        Runnable probe = snapshotOf(GERMAN).wrap(() -> {
            seen.set(RoutingContext.current());
            mdc.set(MDC.get(RoutingContext.MDC_KEY));
        });
        RoutingContext other = RoutingContext.builder().dataClass(DataClass.PUBLIC).correlationId("pool-1").build();
        CompletableFuture<String[]> after = CompletableFuture.supplyAsync(() -> {
            try (RoutingContext.Scope s = other.open()) {
                task.run();
                probe.run();
                return new String[] {RoutingContext.current().dataClass().name(), MDC.get(RoutingContext.MDC_KEY)};
            }
        }, executor);

        assertThat(after.get()).containsExactly("PUBLIC", "pool-1");
        assertThat(seen.get()).isSameAs(GERMAN);
        assertThat(mdc.get()).isEqualTo("req-1");
    }

    @Test
    void aSnapshotWithoutAContextClearsTheThreadsWhileItRunsWhenMissingValuesAreCleared() throws Exception {
        ContextSnapshot none = ContextSnapshotFactory.builder().clearMissing(true).build().captureAll();
        CompletableFuture<Object[]> result = CompletableFuture.supplyAsync(() -> {
            try (RoutingContext.Scope s = GERMAN.open()) {
                AtomicReference<RoutingContext> inside = new AtomicReference<>();
                none.wrap(() -> inside.set(RoutingContext.current())).run();
                return new Object[] {inside.get(), RoutingContext.current()};
            }
        }, executor);

        assertThat(result.get()).containsExactly(RoutingContext.empty(), GERMAN);
    }

    private ContextSnapshot snapshotOf(RoutingContext ctx) {
        try (RoutingContext.Scope s = ctx.open()) {
            return snapshots.captureAll();
        }
    }
}
