package dev.meridian.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Invariant I3 of issue 9 — a keyed operation's side effect runs at most once — over random interleavings of
 * concurrent calls of one key against {@link InMemoryIdempotencyStore}: calls with one of two payloads start, run
 * their operation and finish in any order and with any outcome (result, caller error, refused connection, timeout
 * after send, {@link Error}, {@code null}, a result over the size limit); the clock moves past in-progress expiries
 * (a call still running then counts as crashed and never finishes); the store fails its writes for a while.
 *
 * <p>Each step is checked against a reference model of the documented semantics (run, replay, in progress, key
 * reuse, result not stored), and the effect count against the headline invariant: every effect beyond the first is
 * explained by a documented takeover — one after the in-progress expiry of a claim whose run may have applied its
 * effect (ambiguous failure, or a result the unreachable store could not record). Without such a takeover the effect
 * ran at most once.
 *
 * <p>Each call runs on its own thread; the driver hands it one command at a time and waits until it has either
 * entered the operation or returned, so every interleaving is deterministic.
 */
class AtMostOncePropertiesTest {

    private static final String KEY = "order-1";
    private static final Duration IN_PROGRESS_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_RESULT_BYTES = 16;
    /** Safety net for a handoff that never comes (a bug): fails the try instead of hanging the build. */
    private static final long HANDOFF_TIMEOUT_SECONDS = 10;

    /** How a running call's operation ends. */
    enum Outcome {
        RESULT, CALLER_ERROR, NOT_APPLIED, TIMEOUT_AFTER_SEND, ERROR, NULL_RESULT, TOO_LARGE
    }

    /** One step of a schedule. */
    sealed interface Action permits Start, Finish, Advance, StoreWrites {
    }

    /** A new call with payload 0 or 1. */
    record Start(int payload) implements Action {
    }

    /** The {@code index}-th running call (mod their number) ends with {@code outcome}. */
    record Finish(int index, Outcome outcome, boolean appliedBeforeFailing) implements Action {
    }

    /** The clock moves on. */
    record Advance(int seconds) implements Action {
    }

    /** The store's writes after the claim (complete, completeWithoutResult, fail) start or stop failing. */
    record StoreWrites(boolean failing) implements Action {
    }

    /** What a call saw. */
    enum Seen {
        RAN, REPLAYED, IN_PROGRESS, KEY_REUSE, NOT_STORED, FAILED
    }

    @Property(tries = 400)
    void sideEffectRunsAtMostOnce(@ForAll("schedules") @Size(max = 40) List<Action> schedule) throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            Harness harness = new Harness(threads);
            for (Action action : schedule) {
                harness.apply(action);
                assertThat(harness.effects)
                        .as("effects applied, with %s documented takeovers after a maybe-applied run",
                                harness.model.takeoversAfterMaybeApplied)
                        .isLessThanOrEqualTo(1 + harness.model.takeoversAfterMaybeApplied);
            }
            Statistics.label("documented takeovers").collect(harness.model.takeoversAfterMaybeApplied > 0);
            Statistics.label("key reuse refused").collect(harness.keyReuseRefused > 0);
            Statistics.label("results not stored").collect(harness.notStored > 0);
        } finally {
            threads.shutdownNow();
        }
    }

    @Provide
    Arbitrary<List<Action>> schedules() {
        Arbitrary<Action> start = Arbitraries.integers().between(0, 1).map(Start::new);
        Arbitrary<Action> finish = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.of(Outcome.class), Arbitraries.of(true, false)).as(Finish::new);
        Arbitrary<Action> advance = Arbitraries.integers().between(1, 40).map(Advance::new);
        Arbitrary<Action> storeWrites = Arbitraries.of(true, false).map(StoreWrites::new);
        return Arbitraries.frequencyOf(
                Tuple.of(4, start),
                Tuple.of(4, finish),
                Tuple.of(2, advance),
                Tuple.of(1, storeWrites)).list();
    }

    /** The documented semantics for one key, as a reference. */
    static final class Model {
        enum State { FREE, HELD, COMPLETED, NOT_STORED }

        State state = State.FREE;
        int payload;
        Instant inProgressExpiry;
        /** Whether the run that left the HELD record may have applied its effect. */
        boolean heldMayHaveApplied;
        Call owner;
        int takeoversAfterMaybeApplied;

        Seen expectStart(int newPayload, Instant now) {
            switch (state) {
                case FREE:
                    return Seen.RAN;
                case COMPLETED:
                    return newPayload != payload ? Seen.KEY_REUSE : Seen.REPLAYED;
                case NOT_STORED:
                    return newPayload != payload ? Seen.KEY_REUSE : Seen.NOT_STORED;
                default:
                    if (newPayload != payload) {
                        return Seen.KEY_REUSE;
                    }
                    return now.isBefore(inProgressExpiry) ? Seen.IN_PROGRESS : Seen.RAN;
            }
        }

        void ran(Call call, Instant now) {
            if (state == State.HELD && heldMayHaveApplied) {
                takeoversAfterMaybeApplied++;
            }
            state = State.HELD;
            payload = call.payload;
            inProgressExpiry = now.plus(IN_PROGRESS_TIMEOUT);
            heldMayHaveApplied = false;
            owner = call;
        }

        /** The owner stops running without finishing the record (crash, ambiguous failure, store down). */
        void abandoned(boolean mayHaveApplied) {
            heldMayHaveApplied = mayHaveApplied;
            owner = null;
        }
    }

    /** Drives the calls and keeps the model and the ground truth. */
    static final class Harness {
        final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        final FlakyStore store = new FlakyStore(new InMemoryIdempotencyStore(clock));
        final Idempotency idempotency = Idempotency.builder().store(store).clock(clock)
                .ttl(Duration.ofDays(1)).inProgressTimeout(IN_PROGRESS_TIMEOUT).maxResultBytes(MAX_RESULT_BYTES)
                .build();
        final ExecutorService threads;
        final Model model = new Model();
        final List<Call> running = new ArrayList<>();
        int effects;
        int keyReuseRefused;
        int notStored;
        int calls;

        Harness(ExecutorService threads) {
            this.threads = threads;
        }

        void apply(Action action) throws InterruptedException {
            if (action instanceof Start start) {
                start(start.payload());
            } else if (action instanceof Finish finish) {
                if (!running.isEmpty()) {
                    finish(running.get(finish.index() % running.size()), finish);
                }
            } else if (action instanceof Advance advance) {
                clock.advance(Duration.ofSeconds(advance.seconds()));
                crashOverdueCalls();
            } else if (action instanceof StoreWrites writes) {
                store.failing = writes.failing();
            }
        }

        private void start(int payload) throws InterruptedException {
            Seen expected = model.expectStart(payload, clock.instant());
            Call call = new Call(++calls, payload);
            threads.submit(() -> call.run(idempotency));
            Event event = call.next();
            assertThat(event.seen).as("call %s (payload %s) in state %s", call.id, payload, model.state)
                    .isEqualTo(expected);
            if (event.seen == Seen.RAN) {
                model.ran(call, clock.instant());
                running.add(call);
            } else if (event.seen == Seen.KEY_REUSE) {
                keyReuseRefused++;
            }
        }

        private void finish(Call call, Finish finish) throws InterruptedException {
            Outcome outcome = finish.outcome();
            boolean applied = switch (outcome) {
                case RESULT, NULL_RESULT, TOO_LARGE -> true;
                case CALLER_ERROR, NOT_APPLIED -> false;
                case TIMEOUT_AFTER_SEND, ERROR -> finish.appliedBeforeFailing();
            };
            if (applied) {
                effects++;
            }
            running.remove(call);
            call.commands.put(outcome);
            Event event = call.next();
            boolean storeFailing = store.failing;
            switch (outcome) {
                case RESULT -> {
                    if (storeFailing) {
                        assertThat(event.seen).isEqualTo(Seen.NOT_STORED);
                        model.abandoned(true);
                    } else {
                        assertThat(event.seen).isEqualTo(Seen.RAN);
                        model.state = Model.State.COMPLETED;
                    }
                }
                case NULL_RESULT, TOO_LARGE -> {
                    assertThat(event.seen).isEqualTo(Seen.NOT_STORED);
                    notStored++;
                    if (storeFailing) {
                        model.abandoned(true);
                    } else {
                        model.state = Model.State.NOT_STORED;
                    }
                }
                case CALLER_ERROR, NOT_APPLIED -> {
                    assertThat(event.seen).isEqualTo(Seen.FAILED);
                    if (storeFailing) {
                        model.abandoned(false);
                    } else {
                        model.state = Model.State.FREE;
                    }
                }
                default -> {
                    assertThat(event.seen).isEqualTo(Seen.FAILED);
                    model.abandoned(applied);
                }
            }
            assertThat(store.find(KEY).map(IdempotencyRecord::status)).as("record after %s", outcome)
                    .isEqualTo(expectedStatus());
        }

        private Optional<IdempotencyStatus> expectedStatus() {
            return switch (model.state) {
                case FREE -> Optional.empty();
                case HELD -> clock.instant().isBefore(model.inProgressExpiry)
                        ? Optional.of(IdempotencyStatus.IN_PROGRESS) : Optional.empty();
                default -> Optional.of(IdempotencyStatus.COMPLETED);
            };
        }

        /** A call still running past its in-progress expiry counts as crashed: it never finishes. */
        private void crashOverdueCalls() {
            if (model.state == Model.State.HELD && model.owner != null
                    && !clock.instant().isBefore(model.inProgressExpiry)) {
                running.remove(model.owner);
                model.abandoned(false);
            }
        }
    }

    /** What a call's thread reports: it entered the operation, or it returned. */
    record Event(Seen seen) {
    }

    /** One {@code execute} on its own thread, stepped by the driver. */
    static final class Call {
        final int id;
        final int payload;
        final BlockingQueue<Outcome> commands = new LinkedBlockingQueue<>();
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

        Call(int id, int payload) {
            this.id = id;
            this.payload = payload;
        }

        void run(Idempotency idempotency) {
            Seen seen;
            try {
                String result = idempotency.execute(KEY, "payload-" + payload, this::operation);
                seen = result.equals("r" + id) ? Seen.RAN : Seen.REPLAYED;
            } catch (IdempotencyInProgressException e) {
                seen = Seen.IN_PROGRESS;
            } catch (IdempotencyKeyReuseException e) {
                seen = Seen.KEY_REUSE;
            } catch (IdempotencyResultNotStoredException e) {
                seen = Seen.NOT_STORED;
            } catch (RuntimeException | Error e) {
                seen = Seen.FAILED;
            }
            events.add(new Event(seen));
        }

        private String operation() {
            events.add(new Event(Seen.RAN));
            Outcome outcome;
            try {
                outcome = commands.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("abandoned", e);
            }
            return switch (outcome) {
                case RESULT -> "r" + id;
                case CALLER_ERROR -> throw new IllegalArgumentException("declined");
                case NOT_APPLIED -> throw SdkClientException.create("refused", new ConnectException("Connection refused"));
                case TIMEOUT_AFTER_SEND -> throw ApiCallAttemptTimeoutException.create(1_000);
                case ERROR -> throw new StackOverflowError("simulated");
                case NULL_RESULT -> null;
                case TOO_LARGE -> "r" + id + "-".repeat(MAX_RESULT_BYTES);
            };
        }

        /** The next event, within the safety timeout. */
        Event next() throws InterruptedException {
            Event event = events.poll(HANDOFF_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(event).as("call %s handed back control", id).isNotNull();
            return event;
        }
    }

    /** The in-memory store whose writes after the claim fail while {@link #failing}. */
    static final class FlakyStore implements IdempotencyStore {
        private final IdempotencyStore delegate;
        volatile boolean failing;

        FlakyStore(IdempotencyStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public IdempotencyClaim claim(String key, String payloadHash, Instant inProgressExpiry, Instant expiry) {
            return delegate.claim(key, payloadHash, inProgressExpiry, expiry);
        }

        @Override
        public void complete(IdempotencyClaim claim, byte[] result, Instant expiry) {
            failIfFailing();
            delegate.complete(claim, result, expiry);
        }

        @Override
        public void completeWithoutResult(IdempotencyClaim claim, String reason, Instant expiry) {
            failIfFailing();
            delegate.completeWithoutResult(claim, reason, expiry);
        }

        @Override
        public void fail(IdempotencyClaim claim) {
            failIfFailing();
            delegate.fail(claim);
        }

        @Override
        public Optional<IdempotencyRecord> find(String key) {
            return delegate.find(key);
        }

        private void failIfFailing() {
            if (failing) {
                throw new IllegalStateException("store unavailable");
            }
        }
    }
}
