package dev.meridian.core.idempotency;

import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.FailureDecision;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Decides whether the claim of an operation that threw may be released (deleted, so a retry runs at once): only when
 * the failure is known not to have applied the operation's side effect. A failure that may have been applied keeps
 * the claim until its in-progress expiry, so an immediate retry is refused instead of applying the effect twice.
 *
 * <p>May have been applied: any {@link Error} (like a crash, nothing is known), and any exception the classifier calls
 * {@link FailureDecision#REGIONAL_MAYBE_APPLIED} (a timeout after the request was sent, a 500, a reset mid-call) or
 * {@link FailureDecision#ABORTED} (the caller's thread interrupted or its future cancelled mid-call) —
 * anywhere in the failure's cause chain or among its suppressed exceptions, since an executor that tried several
 * regions reports the earlier attempts there. Everything else — caller errors thrown by the operation,
 * {@link FailureDecision#REGIONAL_NOT_APPLIED} (connection refused, throttling, 503) — releases the claim.
 */
final class ClaimRelease {

    /** Bounds the walk over causes and suppressed exceptions (cycles are skipped too). */
    private static final int MAX_VISITED = 64;

    private ClaimRelease() {
    }

    static boolean mayHaveBeenApplied(Throwable failure, FailureClassifier classifier) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> pending = new ArrayDeque<>();
        pending.add(failure);
        while (!pending.isEmpty() && seen.size() < MAX_VISITED) {
            Throwable t = pending.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof Error || classifier.classify(t).mayHaveBeenApplied()) {
                return true;
            }
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
            for (Throwable s : t.getSuppressed()) {
                pending.add(s);
            }
        }
        return false;
    }
}
