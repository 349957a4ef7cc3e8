package dev.meridian.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.residency.DataClass;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ContextualFutureTest {
    private static final RoutingContext GERMAN = RoutingContext.builder().dataClass(DataClass.RESTRICTED)
            .subjectCountry("DE").build();

    private final ExecutorService sdkThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        sdkThread.shutdownNow();
    }

    @Test
    void dependentsRunUnderTheCallersContextOnTheCompletingThread() throws Exception {
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> future = ContextualFuture.of(GERMAN, source);

        CompletableFuture<RoutingContext> direct = future.thenApply(v -> RoutingContext.current());
        CompletableFuture<RoutingContext> composed = future
                .thenCompose(v -> CompletableFuture.completedFuture(v))
                .thenApply(v -> RoutingContext.current());
        CompletableFuture<RoutingContext> async = future.thenApplyAsync(v -> RoutingContext.current());
        sdkThread.submit(() -> source.complete("done"));

        assertThat(direct.get(10, TimeUnit.SECONDS)).isSameAs(GERMAN);
        assertThat(composed.get(10, TimeUnit.SECONDS)).isSameAs(GERMAN);
        assertThat(async.get(10, TimeUnit.SECONDS)).isSameAs(GERMAN);
        assertThat(sdkThread.submit(RoutingContext::current).get()).as("the completing thread is restored")
                .isSameAs(RoutingContext.empty());
    }

    @Test
    void failuresAreDeliveredUnderTheContextAndCancellingCancelsTheSource() throws Exception {
        CompletableFuture<String> failing = new CompletableFuture<>();
        CompletableFuture<RoutingContext> handled = ContextualFuture.of(GERMAN, failing)
                .exceptionally(e -> "x").thenApply(v -> RoutingContext.current());
        sdkThread.submit(() -> failing.completeExceptionally(new IllegalStateException("boom")));
        assertThat(handled.get(10, TimeUnit.SECONDS)).isSameAs(GERMAN);

        CompletableFuture<String> source = new CompletableFuture<>();
        ContextualFuture.of(GERMAN, source).cancel(true);
        assertThat(source.isCancelled()).isTrue();
    }

    @Test
    void aFailureCompletesTheFutureExceptionallyWithTheSourcesCause() {
        CompletableFuture<String> failing = new CompletableFuture<>();
        CompletableFuture<String> future = ContextualFuture.of(GERMAN, failing);
        IllegalStateException boom = new IllegalStateException("boom");

        failing.completeExceptionally(boom);

        assertThat(future).isCompletedExceptionally();
        assertThatThrownBy(future::join).hasCause(boom);
    }

    @Test
    void aFutureAlreadyInTheContextIsNotWrappedAgainAndEveryStageCarriesTheContext() {
        RoutingContext other = RoutingContext.builder().dataClass(DataClass.INTERNAL).build();
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> german = ContextualFuture.of(GERMAN, source);

        assertThat(ContextualFuture.of(GERMAN, german)).isSameAs(german);
        CompletableFuture<String> rewrapped = ContextualFuture.of(other, german);
        assertThat(rewrapped).isNotSameAs(german);
        assertThat(((ContextualFuture<String>) rewrapped).context()).isSameAs(other);
        assertThat(((ContextualFuture<String>) german).context()).isSameAs(GERMAN);
        assertThat(german.thenApply(v -> v)).isInstanceOfSatisfying(ContextualFuture.class,
                f -> assertThat(f.context()).isSameAs(GERMAN));
    }

    @Test
    void completingTheFutureItselfLeavesTheSourceRunning() {
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> future = ContextualFuture.of(GERMAN, source);

        future.complete("early");

        assertThat(source).isNotDone();
        assertThat(future.join()).isEqualTo("early");
    }
}
