package dev.meridian.dynamodb.client;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.Classification;
import dev.meridian.dynamodb.client.TableCatalog.Described;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;

/**
 * What the sync and async routed clients share around sdk-core's executor: classification, the residency
 * footprint check before anything is sent, and read-your-writes bookkeeping. Routing itself (residency, health,
 * order, failover, hedging) stays in sdk-core. What a call classified in full needs (writes, batches, transactions,
 * PartiQL, footprint checks, read-your-writes, table default data classes) is {@link ShapedRouting}'s. Thread-safe.
 */
final class DynamoDbRouting {

    private final MultiRegion runtime;
    private final MultiRegionSpi spi;
    private final TableCatalog catalog;
    private final @Nullable WriteMarks marks;
    private final @Nullable ReplicationLagProbe probe;
    private final Duration sessionReadWait;
    /**
     * Built on the first read under a session token ({@link #sessionReads()}): most clients never get one, and a cold
     * start then loads neither it nor its exceptions.
     */
    private volatile @Nullable SessionReads sessionReads;

    /** Routing with {@code probe} (or none) and {@code sessionReadWait} for reads under a session token. */
    DynamoDbRouting(MultiRegion runtime, TableCatalog catalog, @Nullable WriteMarks marks,
            @Nullable ReplicationLagProbe probe, Duration sessionReadWait) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.spi = MultiRegionSpi.of(runtime);
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.marks = marks;
        this.probe = probe;
        this.sessionReadWait = Objects.requireNonNull(sessionReadWait, "sessionReadWait");
    }

    MultiRegion runtime() {
        return runtime;
    }

    MultiRegionSpi spi() {
        return spi;
    }

    TableCatalog catalog() {
        return catalog;
    }

    /** The read-your-writes marks, or null when they are off. */
    @Nullable WriteMarks marks() {
        return marks;
    }

    /**
     * After a process snapshot was restored: forgets the {@code DescribeTable} results (the first call that needs one
     * describes the table again) and the read-your-writes marks (a restored copy wrote nothing yet).
     */
    void afterRestore() {
        catalog.forget();
        if (marks != null) {
            marks.forget();
        }
    }

    /** A classifier whose unknown key schemas are answered by {@code describe} (through the catalog's cache). */
    DynamoDbOperationClassifier classifier(Map<String, TableConfig> settings, Function<String, Described> describe) {
        return new DynamoDbOperationClassifier(settings, catalog, describe);
    }

    /** Whether a table's footprint matters for this call (sdk-core decides; no {@code DescribeTable} otherwise). */
    boolean footprintMatters(RoutingContext ctx) {
        return spi.footprintMatters(ctx);
    }

    /**
     * The context a call runs under: the caller's; or, when it does not set a data class
     * ({@link RoutingContext#isDataClassDeclared()}: made while none is open, under one declaring nothing, or under
     * one naming only the data subject), the default data class of the table it touches
     * ({@link TableConfig#defaultDataClass()}; RESTRICTED wins when tables disagree), keeping everything else the
     * caller's context says (subject, correlation id, idempotency key, preferred and excluded regions). Without a
     * table default sdk-core applies the configured one. A call without a context ({@link RoutingContext#isDeclared()}
     * false) under {@code requireContext} keeps its context, which sdk-core refuses: a table default would declare it.
     */
    RoutingContext contextFor(String operation, DynamoDbRequest request, RoutingContext ctx) {
        return keepsContext(ctx) ? ctx : ShapedRouting.contextFor(this, operation, request, ctx);
    }

    /**
     * Whether a call runs under the caller's context as it is: it sets a data class, no table has a default, or it is
     * a call without a context that the configuration refuses ({@code requireContext}: "refuse every call made
     * without a context", which a table's default data class does not make one with a context).
     */
    boolean keepsContext(RoutingContext ctx) {
        return ctx.isDataClassDeclared() || !catalog.hasTableDefaults()
                || !ctx.isDeclared() && runtime.config().requireContext();
    }

    /**
     * Whether a call is a data read under a session that wrote: describing or listing tables is not bounded. No
     * {@code Optional.flatMap(RoutingSession::token)}: this runs on every call, and on the first one that lambda is a
     * class spun (and {@code RoutingSession} loaded) for a session most calls do not have.
     */
    private static boolean underSession(String operation, boolean read, RoutingContext ctx) {
        if (!read) {
            return false;
        }
        // The session first: most calls have none, and it is the cheapest to ask.
        Optional<RoutingSession> session = ctx.session();
        return session.isPresent() && session.get().token().isPresent()
                && !operation.startsWith("Describe") && !operation.startsWith("List");
    }

    /** The session reads' bounds, built on the first read under a session token. */
    private SessionReads sessionReads() {
        SessionReads s = sessionReads;
        if (s == null) {
            // Immutable once built: two threads racing here build equal ones, and either serves.
            s = new SessionReads(spi, new LinkedHashSet<>(runtime.config().regionList()), probe, sessionReadWait);
            sessionReads = s;
        }
        return s;
    }

    /**
     * Whether a {@code GetItem} of a configured table under {@code ctx} needs nothing but its operation: no footprint
     * to check before it, no read-your-writes marks to consult or record.
     */
    boolean operationSuffices(RoutingContext ctx) {
        return marks == null && !footprintMatters(ctx);
    }

    /**
     * How the sync and async request models classify a call: a {@code GetItem} of a configured table under a context
     * that needs nothing but its operation ({@link #operationSuffices}) as that {@link Operation} alone (see
     * {@link DynamoDbOperationClassifier#readOperation}); null for any other call, which is classified in full.
     */
    @Nullable Operation operationAlone(DynamoDbOperationClassifier classifier, String operation,
            DynamoDbRequest request, RoutingContext ctx) {
        return operationSuffices(ctx) ? classifier.readOperation(operation, request) : null;
    }

    /**
     * The operation to execute of a call classified either way ({@link #operationAlone}); of one classified in full,
     * {@link ShapedRouting#operation}'s.
     */
    Operation operationOf(Object classified, RoutingContext ctx) {
        // Asked as "an Operation alone?" first: Classification is then not loaded by a cold start's first read.
        return classified instanceof Operation read ? readOperation(read, ctx)
                : ShapedRouting.operation(this, (Classification) classified, ctx);
    }

    /**
     * Records where a write landed (in the read-your-writes marks and in the caller's session token), or releases a
     * pin once a read elsewhere shows the write replicated, of a call classified either way: a read classified as its
     * operation alone has nothing to record (no marks; a session records writes only).
     */
    void afterSuccessOf(Object classified, RoutingContext ctx, DynamoDbRequest request, Region served,
            Object response) {
        // A read records something only in the marks: without them the classification goes no further (see operation).
        if (!(classified instanceof Operation) && (marks != null || !((Classification) classified).read())) {
            ShapedRouting.recordSuccess(this, (Classification) classified, ctx, request, served, response);
        }
    }

    /**
     * {@link ShapedRouting#operation} of a one-item read on a configured table classified as its
     * operation alone ({@link #operationSuffices}): bounded to its table's regions and to the session's write.
     */
    private Operation readOperation(Operation read, RoutingContext ctx) {
        String table = read.resource().orElseThrow();
        Optional<Set<Region>> bound = catalog.bound(table);
        Operation op = bound.isEmpty() ? read : read.toBuilder().within(bound.get()).build();
        return sessionBound(op, true, ctx);
    }

    /** {@code op}, bounded to where the session's write is visible when it is a data read under a session token. */
    Operation sessionBound(Operation op, boolean read, RoutingContext ctx) {
        return underSession(op.name(), read, ctx) ? sessionReads().bound(op, ctx) : op;
    }
}
