package dev.meridian.dynamodb.client;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.Classification;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.TableKey;
import dev.meridian.dynamodb.client.TableCatalog.Described;
import dev.meridian.dynamodb.lag.ReplicationLagProbe;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * What the sync and async routed clients share around sdk-core's executor: classification, the residency
 * footprint check before anything is sent, and read-your-writes bookkeeping. Routing itself (residency, health,
 * order, failover, hedging) stays in sdk-core. Thread-safe.
 */
final class DynamoDbRouting {
    private static final Logger log = LoggerFactory.getLogger(DynamoDbRouting.class);
    /**
     * The operations whose items are PartiQL statement text: keyless, their tables read from the text. By name: a call
     * on one table is classified without its shape, so the shape cannot tell.
     */
    private static final Set<String> PARTIQL_OPERATIONS =
            Set.of("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction");

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

    /** The read that learns a table's key schema and replicas (routed like any read). */
    static Operation describeOperation(String table) {
        return Operation.builder("DescribeTable", OperationKind.READ).resource(table).build();
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
        return new DynamoDbOperationClassifier(settings, table -> catalog.partitionKey(table, describe));
    }

    /**
     * Refuses the call, before anything is sent, when one of its tables replicates outside the regions the data
     * may live in (sdk-core's {@code Router.checkFootprint} decides and counts the refusal).
     */
    void checkResidency(Classification c, RoutingContext ctx, Function<String, Described> describe) {
        if (!footprintMatters(ctx)) {
            return;
        }
        for (String table : c.tables()) {
            spi.checkResidency(c.operation(), ctx, catalog.footprint(table, describe));
        }
        if (c.unreadTable()) { // only a PartiQL statement's table can go unread
            // A PartiQL statement whose table was not read: its footprint is unknown, so taken as every configured
            // region (as for a table nothing describes), never as none.
            spi.checkResidency(c.operation(), ctx, Set.copyOf(runtime.config().regionList()));
        }
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
        if (keepsContext(ctx)) {
            return ctx;
        }
        RoutingContext chosen = null;
        for (ItemRef item : RequestShape.of(operation, request).items()) {
            Optional<RoutingContext> d = catalog.settings(item.table()).flatMap(TableConfig::defaultContext);
            if (d.isPresent() && (chosen == null || d.get().dataClass().equals(DataClass.RESTRICTED))) {
                chosen = d.get();
            }
        }
        return withDefault(ctx, chosen);
    }

    /** {@link #contextFor(String, DynamoDbRequest, RoutingContext)} for a call on {@code table}. */
    RoutingContext contextFor(String table, RoutingContext ctx) {
        if (keepsContext(ctx)) {
            return ctx;
        }
        return withDefault(ctx, catalog.settings(table).flatMap(TableConfig::defaultContext).orElse(null));
    }

    /**
     * Whether a call runs under the caller's context as it is: it sets a data class, no table has a default, or it is
     * a call without a context that the configuration refuses ({@code requireContext}: "refuse every call made
     * without a context", which a table's default data class does not make one with a context).
     */
    private boolean keepsContext(RoutingContext ctx) {
        return ctx.isDataClassDeclared() || !catalog.hasTableDefaults()
                || !ctx.isDeclared() && runtime.config().requireContext();
    }

    private static RoutingContext withDefault(RoutingContext ctx, @Nullable RoutingContext tableDefault) {
        if (tableDefault == null) {
            return ctx;
        }
        return ctx == RoutingContext.empty() ? tableDefault
                : ctx.toBuilder().dataClass(tableDefault.dataClass()).build();
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
     * The operation to execute: bounded to the regions its tables exist in (a table replicated to some regions only
     * is never called elsewhere: there it does not exist); a read of a key the session just wrote goes to the
     * writing region first; a read under a {@linkplain RoutingContext#session() session token} is bounded to the
     * regions where the token's write is visible ({@link SessionReads}).
     */
    Operation operation(Classification c, RoutingContext ctx) {
        // Small on purpose (issue 19, item 5): a call with at most one key and no read-your-writes marks (most calls)
        // hands on the classification's parts, not the classification, so that it reaches no method the JIT could
        // leave out of line (one compiled on its own first, "already compiled into a big method") and is
        // scalar-replaced in every compilation of the routed call, not only in those that inlined the whole of this.
        if (c.keyCount() == 0 && !c.read()) {
            requireNoKeylessHomedWrite(c.operation(), c.tables());
        }
        if (c.keyCount() > 1 || marks != null) {
            return operationOfKeys(c, ctx);
        }
        return sessionBound(bounded(c.operation(), c.tables()), c.read(), ctx);
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

    /** The operation to execute of a call classified either way ({@link #operationAlone}). */
    Operation operationOf(Object classified, RoutingContext ctx) {
        return classified instanceof Classification c ? operation(c, ctx) : readOperation((Operation) classified, ctx);
    }

    /**
     * {@link #afterSuccess(Classification, RoutingContext, DynamoDbRequest, Region, Object)} of a call classified
     * either way: a read classified as its operation alone has nothing to record (no marks; a session records writes
     * only).
     */
    void afterSuccessOf(Object classified, RoutingContext ctx, DynamoDbRequest request, Region served,
            Object response) {
        if (classified instanceof Classification c) {
            afterSuccess(c, ctx, request, served, response);
        }
    }

    /**
     * {@link #operation(Classification, RoutingContext)} of a one-item read on a configured table classified as its
     * operation alone ({@link #operationSuffices}): bounded to its table's regions and to the session's write.
     */
    private Operation readOperation(Operation read, RoutingContext ctx) {
        String table = read.resource().orElseThrow();
        Optional<Set<Region>> bound = catalog.bound(table);
        Operation op = bound.isEmpty() ? read : read.toBuilder().within(bound.get()).build();
        return sessionBound(op, true, ctx);
    }

    /** {@link #operation(Classification, RoutingContext)} of a call with several keys, or with marks to consult. */
    private Operation operationOfKeys(Classification c, RoutingContext ctx) {
        Operation op = bounded(c.operation(), c.tables());
        if (c.keyCount() > 1 && op.strategy().isPresent()) {
            requireOneHome(op, c, ctx);
        }
        op = sessionBound(op, c.read(), ctx);
        if (marks == null || !c.read() || c.keyCount() == 0) {
            return op;
        }
        Optional<Region> writer = marks.writerRegion(WriteMarks.session(ctx), c.keys());
        if (writer.isEmpty()) {
            return op;
        }
        RoutingStrategy base = op.strategy().orElseGet(() -> runtime.config().routing());
        log.debug("{} on {} pinned to {} for read-your-writes", op.name(), op.resource().orElse("?"), writer.get());
        return op.toBuilder().strategy(RoutingStrategy.preferring(writer.get(), base)).build();
    }

    /** {@code op}, bounded to where the session's write is visible when it is a data read under a session token. */
    private Operation sessionBound(Operation op, boolean read, RoutingContext ctx) {
        return underSession(op.name(), read, ctx) ? sessionReads().bound(op, ctx) : op;
    }

    /**
     * A multi-item call (batch, transaction) homed by key must have one home, whatever tables its items are in:
     * writing some items outside their home region would break the single-writer promise of
     * {@link WriteMode#WRITE_HOME_BY_KEY} (and a read at home would not be at home for all of them). Refused before
     * anything is sent, naming two keys and their homes, so the caller can split the call per home region.
     */
    private void requireOneHome(Operation op, Classification c, RoutingContext ctx) {
        Map<Region, String> homes = new LinkedHashMap<>();
        for (TableKey key : c.keys()) {
            if (!DynamoDbOperationClassifier.homesByKey(c.shape(), catalog.settings(key.table()))) {
                continue;
            }
            Operation forKey = op.toBuilder().routingKey(key.routingKey()).build();
            homes.putIfAbsent(spi.plan(forKey, ctx).first(), key.routingKey());
        }
        if (homes.size() > 1) {
            StringBuilder which = new StringBuilder();
            homes.forEach((home, key) -> which.append(which.length() == 0 ? "" : ", ").append(key)
                    .append(" (table#key) is homed in ").append(home));
            throw new IllegalArgumentException(op.name() + " touches items of WRITE_HOME_BY_KEY tables whose keys have"
                    + " different home regions: " + which + "; each item may only be written (or read at home) in"
                    + " its key's home region, and nothing was sent: split the call into one per home region");
        }
    }

    /**
     * A PartiQL write names its items in statement text, whose keys are not read here: sent to a
     * {@link WriteMode#WRITE_HOME_BY_KEY} table it would go wherever the strategy sends any keyless call (the local
     * region), not to the key's home, making a second writer of the item. Refused before anything is sent, naming the
     * table and the calls that are routed by key. (Other keyless writes of a table, e.g. {@code UpdateTimeToLive},
     * touch no item.)
     */
    private void requireNoKeylessHomedWrite(Operation op, Set<String> tables) {
        if (!PARTIQL_OPERATIONS.contains(op.name())) {
            return;
        }
        for (String table : tables) {
            if (catalog.settings(table).map(t -> t.writeMode() == WriteMode.WRITE_HOME_BY_KEY).orElse(false)) {
                throw new IllegalArgumentException(op.name() + " writes to table '" + table + "', which is"
                        + " WRITE_HOME_BY_KEY, in a PartiQL statement whose key Meridian does not read, so it could not"
                        + " be sent to the key's home region, the only region that may write the item; nothing was"
                        + " sent: write it with PutItem, UpdateItem, DeleteItem, BatchWriteItem or TransactWriteItems");
            }
        }
    }

    /** {@code op} bounded to the regions where all of {@code tables} exist. */
    private Operation bounded(Operation op, Set<String> tables) {
        Set<Region> bound = null;
        for (String table : tables) {
            Optional<Set<Region>> b = catalog.bound(table);
            if (b.isPresent()) {
                if (bound == null) {
                    bound = new LinkedHashSet<>(b.get());
                } else {
                    bound.retainAll(b.get());
                }
            }
        }
        if (bound == null) {
            return op;
        }
        if (bound.isEmpty()) {
            throw new IllegalArgumentException(op.name() + " touches tables " + tables
                    + " that share no region: no single region can serve it");
        }
        return op.toBuilder().within(bound).build();
    }

    /**
     * Records where a write landed (in the read-your-writes marks and in the caller's session token), or releases a
     * pin once a read elsewhere shows the write replicated.
     */
    void afterSuccess(Classification c, RoutingContext ctx, DynamoDbRequest request, Region served, Object response) {
        // A read records something only in the marks: without them the classification goes no further (see operation).
        if (marks != null || !c.read()) {
            recordSuccess(c, ctx, request, served, response);
        }
    }

    private void recordSuccess(Classification c, RoutingContext ctx, DynamoDbRequest request, Region served,
            Object response) {
        if (!c.read() && served != null && ctx.session().isPresent()) {
            // Stamped after the region acknowledged the write: every later heartbeat of that region comes after it.
            ctx.session().get().recordWrite(SessionToken.of(served, runtime.clock().now()));
        }
        if (marks == null || c.keyCount() == 0 || served == null) {
            return;
        }
        String session = WriteMarks.session(ctx);
        if (!c.read()) {
            marks.recordWrite(session, c.keys(), served, writtenVersion(c, request, response));
        } else if (response instanceof GetItemResponse get && get.hasItem() && c.keys().size() == 1) {
            TableKey key = c.keys().get(0);
            marks.observeRead(session, key, served, version(key.table(), get.item()));
        }
    }

    private OptionalLong writtenVersion(Classification c, DynamoDbRequest request, Object response) {
        if (c.keys().size() != 1) {
            return OptionalLong.empty();
        }
        String table = c.keys().get(0).table();
        if (request instanceof PutItemRequest put) {
            return version(table, put.item());
        }
        if (response instanceof UpdateItemResponse update && update.hasAttributes()) {
            return version(table, update.attributes());
        }
        return OptionalLong.empty();
    }

    private OptionalLong version(String table, Map<String, AttributeValue> item) {
        Optional<String> attribute = catalog.settings(table).flatMap(TableConfig::versionAttribute);
        if (attribute.isEmpty()) {
            return OptionalLong.empty();
        }
        AttributeValue v = item.get(attribute.get());
        if (v == null || v.n() == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v.n()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
