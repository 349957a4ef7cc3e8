package dev.meridian.dynamodb.client;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.Classification;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.TableKey;
import dev.meridian.dynamodb.client.TableCatalog.Described;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * {@link DynamoDbRouting}'s part for calls looked at beyond their operation: a call classified in full (writes,
 * batches, transactions, PartiQL, footprint-checked and read-your-writes calls) and a call under a table's default
 * data class. A class of its own, loaded only by such a call: a cold start's first read of a configured table needs
 * none of it.
 */
final class ShapedRouting {
    private static final Logger log = LoggerFactory.getLogger(ShapedRouting.class);
    /**
     * The operations whose items are PartiQL statement text: keyless, their tables read from the text. By name: a call
     * on one table is classified without its shape, so the shape cannot tell.
     */
    private static final Set<String> PARTIQL_OPERATIONS =
            Set.of("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction");

    private ShapedRouting() {
    }

    /**
     * {@link #checkResidency} under {@code ctx} (a {@code DescribeTable} it needs is routed under it), of a call whose
     * footprint matters.
     */
    @SuppressWarnings("try")
    static void checkResidencyUnder(DynamoDbRouting routing, Classification c, RoutingContext ctx,
            Function<String, Described> describe) {
        if (RoutingContext.current() == ctx) {
            checkResidency(routing, c, ctx, describe);
            return;
        }
        try (RoutingContext.Scope s = ctx.open()) {
            checkResidency(routing, c, ctx, describe);
        }
    }

    /**
     * Refuses the call, before anything is sent, when one of its tables replicates outside the regions the data
     * may live in (sdk-core's {@code Router.checkFootprint} decides and counts the refusal); for a call whose
     * footprint matters ({@link DynamoDbRouting#footprintMatters}).
     */
    static void checkResidency(DynamoDbRouting routing, Classification c, RoutingContext ctx,
            Function<String, Described> describe) {
        for (String table : c.tables()) {
            routing.spi().checkResidency(c.operation(), ctx, routing.catalog().footprint(table, describe));
        }
        if (c.unreadTable()) { // only a PartiQL statement's table can go unread
            // A PartiQL statement whose table was not read: its footprint is unknown, so taken as every configured
            // region (as for a table nothing describes), never as none.
            routing.spi().checkResidency(c.operation(), ctx, Set.copyOf(routing.runtime().config().regionList()));
        }
    }

    /** {@link DynamoDbRouting#contextFor(String, DynamoDbRequest, RoutingContext)} of a call that may take one. */
    static RoutingContext contextFor(DynamoDbRouting routing, String operation, DynamoDbRequest request,
            RoutingContext ctx) {
        RoutingContext chosen = null;
        for (ItemRef item : RequestShape.of(operation, request).items()) {
            Optional<RoutingContext> d = routing.catalog().settings(item.table()).flatMap(TableConfig::defaultContext);
            if (d.isPresent() && (chosen == null || d.get().dataClass().equals(DataClass.RESTRICTED))) {
                chosen = d.get();
            }
        }
        return withDefault(ctx, chosen);
    }

    /** {@link DynamoDbRouting#contextFor(String, DynamoDbRequest, RoutingContext)} for a call on {@code table}. */
    static RoutingContext contextFor(DynamoDbRouting routing, String table, RoutingContext ctx) {
        return routing.keepsContext(ctx) ? ctx
                : withDefault(ctx, routing.catalog().settings(table).flatMap(TableConfig::defaultContext).orElse(null));
    }

    private static RoutingContext withDefault(RoutingContext ctx, @Nullable RoutingContext tableDefault) {
        if (tableDefault == null) {
            return ctx;
        }
        return ctx == RoutingContext.empty() ? tableDefault
                : ctx.toBuilder().dataClass(tableDefault.dataClass()).build();
    }

    /**
     * The operation to execute of a call classified in full: bounded to the regions its tables exist in (a table
     * replicated to some regions only is never called elsewhere: there it does not exist); a read of a key the session
     * just wrote goes to the writing region first; a read under a {@linkplain RoutingContext#session() session token}
     * is bounded to the regions where every write the token names is visible ({@link SessionReads}).
     */
    static Operation operation(DynamoDbRouting routing, Classification c, RoutingContext ctx) {
        // Small on purpose (issue 19, item 5): a call with at most one key and no read-your-writes marks (most calls)
        // hands on the classification's parts, not the classification, so that it reaches no method the JIT could
        // leave out of line (one compiled on its own first, "already compiled into a big method") and is
        // scalar-replaced in every compilation of the routed call, not only in those that inlined the whole of this.
        if (c.keyCount() == 0 && !c.read()) {
            requireNoKeylessHomedWrite(routing, c.operation(), c.tables(), c.unreadTable());
        }
        if (c.keyCount() > 1 || routing.marks() != null) {
            return operationOfKeys(routing, c, ctx);
        }
        return routing.sessionBound(bounded(routing, c.operation(), c.tables()), c.read(), ctx);
    }

    /** {@link #operation} of a call with several keys, or with marks to consult. */
    private static Operation operationOfKeys(DynamoDbRouting routing, Classification c, RoutingContext ctx) {
        Operation op = bounded(routing, c.operation(), c.tables());
        if (c.keyCount() > 1 && op.strategy().isPresent()) {
            requireOneHome(routing, op, c, ctx);
        }
        op = routing.sessionBound(op, c.read(), ctx);
        WriteMarks marks = routing.marks();
        if (marks == null || !c.read() || c.keyCount() == 0) {
            return op;
        }
        Optional<Region> writer = marks.writerRegion(WriteMarks.session(ctx), c.keys());
        if (writer.isEmpty()) {
            return op;
        }
        RoutingStrategy base = op.strategy().orElseGet(() -> routing.runtime().config().routing());
        log.debug("{} on {} pinned to {} for read-your-writes", op.name(), op.resource().orElse("?"), writer.get());
        return op.toBuilder().strategy(RoutingStrategy.preferring(writer.get(), base)).build();
    }

    /**
     * A multi-item call (batch, transaction) homed by key must have one home, whatever tables its items are in:
     * writing some items outside their home region would break the single-writer promise of
     * {@link WriteMode#WRITE_HOME_BY_KEY} (and a read at home would not be at home for all of them). Refused before
     * anything is sent, naming two keys and their homes, so the caller can split the call per home region.
     */
    private static void requireOneHome(DynamoDbRouting routing, Operation op, Classification c, RoutingContext ctx) {
        Map<Region, String> homes = new LinkedHashMap<>();
        for (TableKey key : c.keys()) {
            if (!ShapedClassification.homesByKey(c.shape(), routing.catalog().settings(key.table()))) {
                continue;
            }
            Operation forKey = op.toBuilder().routingKey(key.routingKey()).build();
            homes.putIfAbsent(routing.spi().plan(forKey, ctx).first(), key.routingKey());
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
     * touch no item.) A statement whose table was not read could write any table: refused while any configured table
     * is homed by key (fail closed, as the residency check takes such a statement's table as replicated everywhere).
     */
    private static void requireNoKeylessHomedWrite(DynamoDbRouting routing, Operation op, Set<String> tables,
            boolean unreadTable) {
        if (!PARTIQL_OPERATIONS.contains(op.name())) {
            return;
        }
        if (unreadTable) {
            List<String> homed = new ArrayList<>();
            for (TableConfig t : routing.catalog().configured()) {
                if (t.writeMode() == WriteMode.WRITE_HOME_BY_KEY) {
                    homed.add(t.tableName());
                }
            }
            if (!homed.isEmpty()) {
                Collections.sort(homed);
                throw new IllegalArgumentException(op.name() + " writes in a PartiQL statement whose table Meridian"
                        + " could not read, while " + homed + " are WRITE_HOME_BY_KEY: it could write one of them"
                        + " outside the key's home region, the only region that may write the item; nothing was sent:"
                        + " name the table after INSERT INTO, UPDATE or DELETE FROM (e.g. UPDATE \"orders\" ...), or"
                        + " write with PutItem, UpdateItem, DeleteItem, BatchWriteItem or TransactWriteItems");
            }
        }
        for (String table : tables) {
            Optional<TableConfig> settings = routing.catalog().settings(table);
            if (settings.isPresent() && settings.get().writeMode() == WriteMode.WRITE_HOME_BY_KEY) {
                throw new IllegalArgumentException(op.name() + " writes to table '" + table + "', which is"
                        + " WRITE_HOME_BY_KEY, in a PartiQL statement whose key Meridian does not read, so it could not"
                        + " be sent to the key's home region, the only region that may write the item; nothing was"
                        + " sent: write it with PutItem, UpdateItem, DeleteItem, BatchWriteItem or TransactWriteItems");
            }
        }
    }

    /** {@code op} bounded to the regions where all of {@code tables} exist. */
    private static Operation bounded(DynamoDbRouting routing, Operation op, Set<String> tables) {
        Set<Region> bound = null;
        for (String table : tables) {
            Optional<Set<Region>> b = routing.catalog().bound(table);
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

    /** What {@link DynamoDbRouting#afterSuccessOf} records of a write, or of a read under read-your-writes marks. */
    static void recordSuccess(DynamoDbRouting routing, Classification c, RoutingContext ctx, DynamoDbRequest request,
            Region served, Object response) {
        WriteMarks marks = routing.marks();
        if (!c.read() && served != null && ctx.session().isPresent()) {
            // Stamped after the region acknowledged the write: every later heartbeat of that region comes after it.
            ctx.session().get().recordWrite(SessionToken.of(served, routing.runtime().clock().now()));
        }
        if (marks == null || c.keyCount() == 0 || served == null) {
            return;
        }
        String session = WriteMarks.session(ctx);
        if (!c.read()) {
            marks.recordWrite(session, c.keys(), served, writtenVersion(routing, c, request, response));
        } else if (response instanceof GetItemResponse get && get.hasItem() && c.keys().size() == 1) {
            TableKey key = c.keys().get(0);
            marks.observeRead(session, key, served, version(routing, key.table(), get.item()));
        }
    }

    private static OptionalLong writtenVersion(DynamoDbRouting routing, Classification c, DynamoDbRequest request,
            Object response) {
        if (c.keys().size() != 1) {
            return OptionalLong.empty();
        }
        String table = c.keys().get(0).table();
        if (request instanceof PutItemRequest put) {
            return version(routing, table, put.item());
        }
        if (response instanceof UpdateItemResponse update && update.hasAttributes()) {
            return version(routing, table, update.attributes());
        }
        return OptionalLong.empty();
    }

    private static OptionalLong version(DynamoDbRouting routing, String table, Map<String, AttributeValue> item) {
        Optional<String> attribute = routing.catalog().settings(table).flatMap(TableConfig::versionAttribute);
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
