package dev.meridian.dynamodb.saga;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * The saga log: one item per saga in a DynamoDB global table, read and written in the saga's home region only — the
 * first region of the id's rendezvous-hash order over the table's regions, as {@code DynamoDbIdempotencyStore} homes
 * its keys (STRICT): the same home whatever the caller's context, so two instances in different regions meet one
 * item and its conditional writes decide between them. Before anything is read or written the table's replica
 * footprint is checked against the call's context (residency), and sdk-core's router refuses a home region the
 * context does not allow. Every write is a whole-item {@code PutItem} guarded by the version it replaces (or by the
 * item's absence for a new saga): false once applied, so a lost answer cannot apply it twice.
 */
final class SagaLog {
    static final String ID = "id";
    static final String SAGA = "saga";
    static final String STATE = "state";
    static final String INPUT = "input";
    static final String STEPS = "steps";
    static final String FAILURE = "failure";
    static final String DATA_CLASS = "data_class";
    static final String SUBJECT_COUNTRY = "subject_country";
    static final String OWNER = "owner";
    static final String LEASE_UNTIL = "lease_until";
    static final String VERSION = "version";
    static final String CREATED = "created";
    static final String UPDATED = "updated";
    private static final String STEP_NAME = "n";
    private static final String STEP_STATUS = "s";
    private static final String STEP_RESULT = "r";
    /** DynamoDB's limit on the size of an item. */
    static final int MAX_ITEM_BYTES = 400 * 1024;
    private static final int LONGEST_STATUS = Arrays.stream(SagaStepStatus.values())
            .mapToInt(s -> s.name().length()).max().orElseThrow();
    /** What a later write may add besides statuses: the failure (step and class name), owner and lease. */
    private static final int LATER_WRITES_RESERVE = 2 * 1024;
    private static final RoutingStrategy HOME_BY_KEY = RoutingStrategy.homeByKey();

    private final String table;
    private final MultiRegion runtime;
    private final MultiRegionSpi spi;
    private final MultiRegionDynamoDb.Shared shared;
    private final @Nullable Set<Region> replicaRegions;
    /** Where sagas are homed: the table's regions (declared, else every configured one), whatever the context. */
    private final Set<Region> homeRegions;

    SagaLog(String table, MultiRegionDynamoDb.Shared shared, @Nullable Set<Region> replicaRegions) {
        this.table = table;
        this.shared = shared;
        this.runtime = shared.runtime();
        this.spi = MultiRegionSpi.of(runtime);
        this.replicaRegions = replicaRegions;
        List<Region> configured = runtime.config().regionList();
        List<Region> home = new ArrayList<>(configured);
        if (replicaRegions != null) {
            home.retainAll(replicaRegions);
            SettingRules.check(!home.isEmpty(), "Sagas.replicaRegions",
                    "must name a region the runtime is configured with " + configured, replicaRegions,
                    "declare the regions the saga log table '" + table + "' replicates to");
        }
        this.homeRegions = Set.copyOf(home);
    }

    String table() {
        return table;
    }

    /** The context a log call runs under: {@code ctx}, with the table's default data class when it sets none. */
    RoutingContext context(RoutingContext ctx) {
        return shared.context(table, ctx);
    }

    /** The saga's home region. */
    Region home(String id) {
        return spi.homeRegion(homeOperation("saga.home", OperationKind.READ, id).build());
    }

    /** The saga's item, read consistently in its home region. */
    Optional<SagaRecord> read(String id, RoutingContext ctx) {
        Map<String, AttributeValue> item = atHome("saga.read", OperationKind.READ, id, ctx,
                client -> client.getItem(GetItemRequest.builder().tableName(table)
                        .key(Map.of(ID, AttributeValue.fromS(id))).consistentRead(true).build()).item());
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(decode(item));
    }

    /** Writes a new saga's item unless one exists; false when one does. */
    boolean create(SagaRecord record, RoutingContext ctx) {
        PutItemRequest request = PutItemRequest.builder().tableName(table).item(encode(record))
                .conditionExpression("attribute_not_exists(#id)")
                .expressionAttributeNames(Map.of("#id", ID))
                .build();
        return put("saga.create", record.id, ctx, request);
    }

    /** Replaces the item if it still has {@code expectedVersion}; false when another run wrote it since. */
    boolean replace(SagaRecord record, long expectedVersion, RoutingContext ctx) {
        PutItemRequest request = PutItemRequest.builder().tableName(table).item(encode(record))
                .conditionExpression("#version = :expected")
                .expressionAttributeNames(Map.of("#version", VERSION))
                .expressionAttributeValues(Map.of(":expected", number(expectedVersion)))
                .build();
        return put("saga.write", record.id, ctx, request);
    }

    /**
     * The ids of unfinished sagas (RUNNING or COMPENSATING) last written before {@code cutoff}, scanned in one
     * region the call may use (the global table holds every saga there, up to the replication lag).
     */
    List<String> idle(Instant cutoff, RoutingContext ctx) {
        Operation op = Operation.builder("saga.sweep", OperationKind.READ).resource(table).within(homeRegions)
                .build();
        checkFootprint(op, ctx);
        ScanRequest request = ScanRequest.builder().tableName(table)
                .filterExpression("#state IN (:running, :compensating) AND #updated < :cutoff")
                .projectionExpression("#id")
                .expressionAttributeNames(Map.of("#state", STATE, "#updated", UPDATED, "#id", ID))
                .expressionAttributeValues(Map.of(":running", AttributeValue.fromS(SagaState.RUNNING.name()),
                        ":compensating", AttributeValue.fromS(SagaState.COMPENSATING.name()),
                        ":cutoff", number(cutoff.toEpochMilli())))
                .build();
        return spi.execute(op, ctx, region -> {
            List<String> ids = new ArrayList<>();
            shared.clients().get(region).scanPaginator(request).items()
                    .forEach(item -> ids.add(required(item, ID).s()));
            return ids;
        });
    }

    private boolean put(String name, String id, RoutingContext ctx, PutItemRequest request) {
        // Guarded by the version (or absence) it replaces: false once applied, hence IDEMPOTENT_WRITE.
        return atHome(name, OperationKind.IDEMPOTENT_WRITE, id, ctx, client -> {
            try {
                client.putItem(request);
                return true;
            } catch (ConditionalCheckFailedException e) {
                return false;
            }
        });
    }

    private <T> T atHome(String name, OperationKind kind, String id, RoutingContext ctx,
            Function<DynamoDbClient, T> call) {
        Operation.Builder operation = homeOperation(name, kind, id);
        checkFootprint(operation.build(), ctx);
        return spi.execute(operation.homeOnly().build(), ctx, region -> call.apply(shared.clients().get(region)));
    }

    private Operation.Builder homeOperation(String name, OperationKind kind, String id) {
        return Operation.builder(name, kind).resource(table).routingKey(id).strategy(HOME_BY_KEY)
                .within(homeRegions);
    }

    /** Residency: a table replicating outside the regions the context allows is refused before anything is sent. */
    private void checkFootprint(Operation op, RoutingContext ctx) {
        if (spi.footprintMatters(ctx)) {
            spi.checkResidency(op, ctx, replicaRegions != null ? replicaRegions : shared.replicaRegions(table));
        }
    }

    /**
     * An upper bound of the size of {@code r}'s item at any later write of its saga, by DynamoDB's sizing rules
     * (names and strings in UTF-8 bytes, a number at most 21 bytes, a list or map 3 bytes plus 1 per element): every
     * step at its longest status, and room for the failure, owner and lease a later write may add.
     */
    static int itemBytesBound(SagaRecord r) {
        return size(encode(r)) + r.stepNames.size() * LONGEST_STATUS + LATER_WRITES_RESERVE;
    }

    private static int size(Map<String, AttributeValue> attributes) {
        return attributes.entrySet().stream().mapToInt(e -> utf8Length(e.getKey()) + size(e.getValue())).sum();
    }

    private static int size(AttributeValue value) {
        if (value.s() != null) {
            return utf8Length(value.s());
        }
        if (value.n() != null) {
            return 21;
        }
        if (value.hasM()) {
            return 3 + value.m().size() + size(value.m());
        }
        if (value.hasL()) {
            return 3 + value.l().stream().mapToInt(v -> 1 + size(v)).sum();
        }
        throw new IllegalStateException("the saga log writes only strings, numbers, lists and maps");
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static Map<String, AttributeValue> encode(SagaRecord r) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(r.id));
        item.put(SAGA, AttributeValue.fromS(r.sagaName));
        item.put(STATE, AttributeValue.fromS(r.state.name()));
        item.put(INPUT, AttributeValue.fromS(r.input));
        List<AttributeValue> steps = new ArrayList<>();
        for (String name : r.stepNames) {
            Map<String, AttributeValue> step = new HashMap<>();
            step.put(STEP_NAME, AttributeValue.fromS(name));
            step.put(STEP_STATUS, AttributeValue.fromS(r.status(name).name()));
            String result = r.results.get(name);
            if (result != null) {
                step.put(STEP_RESULT, AttributeValue.fromS(result));
            }
            steps.add(AttributeValue.fromM(step));
        }
        item.put(STEPS, AttributeValue.fromL(steps));
        putIfSet(item, FAILURE, r.failure);
        putIfSet(item, DATA_CLASS, r.dataClass);
        putIfSet(item, SUBJECT_COUNTRY, r.subjectCountry);
        putIfSet(item, OWNER, r.owner);
        Instant leaseUntil = r.leaseUntil;
        if (leaseUntil != null) {
            item.put(LEASE_UNTIL, number(leaseUntil.toEpochMilli()));
        }
        item.put(VERSION, number(r.version));
        item.put(CREATED, number(r.created.toEpochMilli()));
        item.put(UPDATED, number(r.updated.toEpochMilli()));
        return item;
    }

    static SagaRecord decode(Map<String, AttributeValue> item) {
        List<String> names = new ArrayList<>();
        Map<String, SagaStepStatus> statuses = new HashMap<>();
        Map<String, String> results = new HashMap<>();
        for (AttributeValue value : required(item, STEPS).l()) {
            Map<String, AttributeValue> step = value.m();
            String name = required(step, STEP_NAME).s();
            names.add(name);
            statuses.put(name, SagaStepStatus.valueOf(required(step, STEP_STATUS).s()));
            AttributeValue result = step.get(STEP_RESULT);
            if (result != null) {
                results.put(name, result.s());
            }
        }
        SagaRecord r = new SagaRecord(required(item, ID).s(), required(item, SAGA).s(), required(item, INPUT).s(),
                text(item, DATA_CLASS), text(item, SUBJECT_COUNTRY), millis(required(item, CREATED)), names,
                statuses, results, SagaState.valueOf(required(item, STATE).s()),
                Long.parseLong(required(item, VERSION).n()), millis(required(item, UPDATED)));
        r.failure = text(item, FAILURE);
        AttributeValue lease = item.get(LEASE_UNTIL);
        r.leasedTo(text(item, OWNER), lease == null ? null : millis(lease));
        return r;
    }

    private static void putIfSet(Map<String, AttributeValue> item, String name, @Nullable String value) {
        if (value != null) {
            item.put(name, AttributeValue.fromS(value));
        }
    }

    private static @Nullable String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static AttributeValue required(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null) {
            throw new IllegalStateException("saga log item without its '" + name + "' attribute: not a saga");
        }
        return value;
    }

    private static Instant millis(AttributeValue value) {
        return Instant.ofEpochMilli(Long.parseLong(value.n()));
    }

    private static AttributeValue number(long n) {
        return AttributeValue.fromN(Long.toString(n));
    }
}
