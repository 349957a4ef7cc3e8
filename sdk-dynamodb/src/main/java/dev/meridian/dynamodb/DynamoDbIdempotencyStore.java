package dev.meridian.dynamodb;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.idempotency.IdempotencyClaim;
import dev.meridian.core.idempotency.IdempotencyRecord;
import dev.meridian.core.idempotency.IdempotencyStore;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingStrategy;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link IdempotencyStore} on a DynamoDB table with the schema of Powertools for AWS Lambda (Java) idempotency, so an
 * existing Powertools table can be reused: partition key {@code id} (S); {@code expiration} (N, epoch seconds — make
 * it the table's TTL attribute); {@code in_progress_expiration} (N, epoch millis); {@code status} (S,
 * {@code INPROGRESS} / {@code COMPLETED}); {@code data} (S, the result: UTF-8 text, or Base64 with
 * {@code data_encoding = base64} when the bytes are not valid UTF-8); {@code validation} (S, SHA-256 hex of the
 * payload). Meridian adds one attribute Powertools ignores: {@code _mr_owner} (S, a random id of the claim that
 * wrote the in-progress record).
 *
 * <p><b>Calls.</b> {@link #claim} (and {@link #begin}) is one conditional {@code PutItem}
 * ({@code attribute_not_exists(id) OR expiration < :now OR (status = INPROGRESS AND in_progress_expiration <
 * :nowMillis)}) with {@code ReturnValuesOnConditionCheckFailure.ALL_OLD}, so a duplicate learns the stored record from
 * the failed put itself: a first execution costs put + update, a replay one call (zero with {@code Idempotency}'s
 * local cache). A put refused by the claim's own earlier attempt (an SDK retry after a lost response) is recognised by
 * its {@code _mr_owner} and counts as acquired. {@link #complete} is one {@code UpdateItem};
 * {@link #fail(IdempotencyClaim)} one {@code DeleteItem} conditional on
 * {@code status = INPROGRESS AND _mr_owner = :mine}, so a slow worker whose claim expired and was taken over cannot
 * delete its successor's claim ({@link #fail(String)} checks the status only).
 *
 * <p><b>Cross-region safety: the record of a key lives in the key's home region.</b> With a {@link MultiRegion}
 * runtime every call is routed by sdk-core with {@link RoutingStrategy#homeByKey()} (rendezvous hash of the key over
 * the regions residency allows), so retries and duplicates of a key arriving in different regions meet the same
 * record — a global table's asynchronous replication alone could not stop two regions from both executing.
 * When the home region is unavailable:
 * <ul>
 *   <li>{@link HomeRegionMode#STRICT} (default): the home is the first region of the key's hash order over every
 *       region residency allows, healthy or not, and claims and reads go there only: when it fails or its circuit
 *       breaker is open the call is refused (the regional failure, or {@code NoRegionAvailableException} — a
 *       {@code ResidencyViolationException} when residency limits the call — propagates) and nothing executes.
 *       Exactly-once holds; availability follows the home region.</li>
 *   <li>{@link HomeRegionMode#AVAILABLE}: the call moves to the next healthy region in the key's hash order. The
 *       record written there is separate from the home region's, and the home region's record (if one was written
 *       before the outage) reaches it only by replication: a duplicate served there within the replication lag (or
 *       while replication from the failed region is stalled) can execute the operation a second time. Use it only
 *       for operations where a rare duplicate is cheaper than refusing.</li>
 * </ul>
 *
 * <p><b>Completing where the claim was made.</b> The owner token of a claim names the region whose table took the
 * claim, and {@link #complete(IdempotencyClaim, byte[], Instant)} / {@link #fail(IdempotencyClaim)} go to that region
 * first, in both modes — not to wherever the key routes now (in AVAILABLE mode, once the home region is back, that
 * would complete a record nobody claimed and leave the claimed one IN_PROGRESS). If that region fails by then:
 * <ul>
 *   <li>{@code complete} moves on along the key's current hash order and writes the completed record in the first
 *       region that answers (replication carries it to the others, including the claim's region once it is back).
 *       Until it does, a duplicate reaching the claim's region still sees IN_PROGRESS and, after the in-progress
 *       expiry, runs the operation again; if no region answers the result is lost the same way (see
 *       {@code Idempotency}: the result is still returned to the caller, a warning is logged).</li>
 *   <li>{@code fail} is best effort: it deletes this claim's record (or a replica of it) in the first region that
 *       answers, guarded by the owner id; where it could not, the in-progress expiry releases the key.</li>
 * </ul>
 * The key-only {@link #complete(String, byte[], Instant)} and {@link #fail(String)} route by key as every other call.
 * Without a runtime ({@link Builder#client(DynamoDbClient)}) every call goes to that one client: fine within one
 * region (e.g. a Lambda function and its table in the same region).
 *
 * <p>Liveness is judged with the store's clock ({@link Builder#clock}); give {@code Idempotency} the same one.
 * Thread-safe.
 */
public final class DynamoDbIdempotencyStore implements IdempotencyStore {

    /** What to do when a key's home region is unavailable. */
    public enum HomeRegionMode {
        /** Refuse the call: exactly-once over availability. */
        STRICT,
        /** Use the next region in the key's hash order: availability over exactly-once (see the class Javadoc). */
        AVAILABLE
    }

    static final String ID = "id";
    static final String EXPIRATION = "expiration";
    static final String IN_PROGRESS_EXPIRATION = "in_progress_expiration";
    static final String STATUS = "status";
    static final String DATA = "data";
    static final String DATA_ENCODING = "data_encoding";
    static final String VALIDATION = "validation";
    static final String OWNER = "_mr_owner";
    static final String INPROGRESS = "INPROGRESS";
    static final String COMPLETED = "COMPLETED";
    private static final String BASE64 = "base64";
    /** Separates the region from the owner id in an owner token ({@code eu-west-1/<uuid>}). */
    private static final char TOKEN_SEPARATOR = '/';
    private static final Map<String, String> NAMES = Map.of("#id", ID, "#expiration", EXPIRATION,
            "#in_progress_expiration", IN_PROGRESS_EXPIRATION, "#status", STATUS);

    private final String table;
    private final InstantSource clock;
    private final MultiRegion runtime;
    private final Function<Region, DynamoDbClient> clients;
    private final DynamoDbClient singleClient;
    private final HomeRegionMode mode;
    private final Map<Region, DynamoDbClient> clientCache = new ConcurrentHashMap<>();

    private DynamoDbIdempotencyStore(Builder b) {
        this.table = b.table;
        this.clock = b.clock;
        this.runtime = b.runtime;
        this.clients = b.clients;
        this.singleClient = b.client;
        this.mode = b.mode;
    }

    /** A builder; table and either a client or a runtime with per-region clients are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Optional<IdempotencyRecord> begin(String key, String payloadHash, Instant inProgressExpiry,
            Instant expiry) {
        return claim(key, payloadHash, inProgressExpiry, expiry).existing();
    }

    /**
     * Claims the key (see the class Javadoc); the owner token of an acquired claim is {@code <region>/<owner id>}
     * with a runtime, the owner id alone without.
     */
    @Override
    public IdempotencyClaim claim(String key, String payloadHash, Instant inProgressExpiry, Instant expiry) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(inProgressExpiry, "inProgressExpiry");
        Objects.requireNonNull(expiry, "expiry");
        String ownerId = UUID.randomUUID().toString();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(key));
        item.put(STATUS, AttributeValue.fromS(INPROGRESS));
        item.put(EXPIRATION, number(expiry.getEpochSecond()));
        item.put(IN_PROGRESS_EXPIRATION, number(inProgressExpiry.toEpochMilli()));
        item.put(OWNER, AttributeValue.fromS(ownerId));
        if (payloadHash != null) {
            item.put(VALIDATION, AttributeValue.fromS(payloadHash));
        }
        return route("idempotency.begin", OperationKind.IDEMPOTENT_WRITE, key, null, (region, client) -> {
            IdempotencyClaim acquired = IdempotencyClaim.acquired(key, token(region, ownerId));
            Instant now = clock.instant();
            try {
                client.putItem(PutItemRequest.builder()
                        .tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(#id) OR #expiration < :now"
                                + " OR (#status = :inprogress AND #in_progress_expiration < :now_millis)")
                        .expressionAttributeNames(NAMES)
                        .expressionAttributeValues(Map.of(":now", number(now.getEpochSecond()),
                                ":now_millis", number(now.toEpochMilli()),
                                ":inprogress", AttributeValue.fromS(INPROGRESS)))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                        .build());
                return acquired;
            } catch (ConditionalCheckFailedException e) {
                // Only endpoints that ignore ALL_OLD return no item; then ask for the record that made the put fail.
                Map<String, AttributeValue> stored = e.hasItem() && !e.item().isEmpty() ? e.item()
                        : read(client, key).orElseThrow(() -> e);
                AttributeValue owner = stored.get(OWNER);
                if (owner != null && ownerId.equals(owner.s())) {
                    // An earlier attempt of this very call was applied (retried after a lost response, or replicated
                    // from a region that timed out): the claim is ours.
                    return acquired;
                }
                return IdempotencyClaim.existing(toRecord(stored));
            }
        });
    }

    @Override
    public void complete(String key, byte[] result, Instant expiry) {
        complete(key, null, result, expiry);
    }

    /** Completes the record in the claim's region first (see the class Javadoc). */
    @Override
    public void complete(IdempotencyClaim claim, byte[] result, Instant expiry) {
        Objects.requireNonNull(claim, "claim");
        complete(claim.key(), regionOf(claim.owner()), result, expiry);
    }

    private void complete(String key, Region claimRegion, byte[] result, Instant expiry) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(expiry, "expiry");
        Optional<String> text = utf8(result);
        String update = "SET #status = :completed, #expiration = :expiration, #data = :data"
                + (text.isPresent() ? " REMOVE #data_encoding" : ", #data_encoding = :encoding");
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":completed", AttributeValue.fromS(COMPLETED));
        values.put(":expiration", number(expiry.getEpochSecond()));
        values.put(":data", AttributeValue.fromS(text.orElseGet(() -> Base64.getEncoder().encodeToString(result))));
        if (text.isEmpty()) {
            values.put(":encoding", AttributeValue.fromS(BASE64));
        }
        UpdateItemRequest request = UpdateItemRequest.builder()
                .tableName(table)
                .key(Map.of(ID, AttributeValue.fromS(key)))
                .updateExpression(update)
                .expressionAttributeNames(Map.of("#status", STATUS, "#expiration", EXPIRATION, "#data", DATA,
                        "#data_encoding", DATA_ENCODING))
                .expressionAttributeValues(values)
                .build();
        route("idempotency.complete", OperationKind.IDEMPOTENT_WRITE, key, claimRegion,
                (region, client) -> client.updateItem(request));
    }

    @Override
    public void fail(String key) {
        Objects.requireNonNull(key, "key");
        deleteInProgress(key, null, null);
    }

    /**
     * Deletes the claim's in-progress record only while it still carries the claim's owner id, in the claim's region
     * first (best effort, see the class Javadoc).
     */
    @Override
    public void fail(IdempotencyClaim claim) {
        Objects.requireNonNull(claim, "claim");
        String token = claim.owner();
        deleteInProgress(claim.key(), regionOf(token), ownerIdOf(token));
    }

    private void deleteInProgress(String key, Region claimRegion, String ownerId) {
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":inprogress", AttributeValue.fromS(INPROGRESS)));
        String condition = "#status = :inprogress";
        if (ownerId != null) {
            condition += " AND #owner = :owner";
            names.put("#owner", OWNER);
            values.put(":owner", AttributeValue.fromS(ownerId));
        }
        DeleteItemRequest request = DeleteItemRequest.builder()
                .tableName(table)
                .key(Map.of(ID, AttributeValue.fromS(key)))
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build();
        route("idempotency.fail", OperationKind.IDEMPOTENT_WRITE, key, claimRegion, (region, client) -> {
            try {
                client.deleteItem(request);
            } catch (ConditionalCheckFailedException e) {
                // Completed meanwhile, taken over by another claim, or already gone: nothing of ours to release.
            }
            return null;
        });
    }

    @Override
    public Optional<IdempotencyRecord> find(String key) {
        Objects.requireNonNull(key, "key");
        Instant now = clock.instant();
        return route("idempotency.find", OperationKind.READ, key, null, (region, client) -> read(client, key))
                .map(DynamoDbIdempotencyStore::toRecord)
                .filter(r -> r.isLive(now));
    }

    /** The table records live in. */
    public String table() {
        return table;
    }

    /** The home-region mode (meaningful with a runtime). */
    public HomeRegionMode mode() {
        return mode;
    }

    /**
     * Runs {@code call} where the key's record lives: with a {@code claimRegion}, that region first and then the key's
     * hash order over the healthy regions; otherwise the key's STRICT home only, or (AVAILABLE) the key's hash order.
     */
    private <T> T route(String name, OperationKind kind, String key, Region claimRegion,
            BiFunction<Region, DynamoDbClient, T> call) {
        if (runtime == null) {
            return call.apply(null, singleClient);
        }
        Function<Region, T> regional = region -> call.apply(region, clientCache.computeIfAbsent(region, clients));
        Operation.Builder operation = Operation.builder(name, kind).resource(table).routingKey(key);
        if (claimRegion != null) {
            RoutingStrategy claimFirst = RoutingStrategy.preferring(claimRegion, RoutingStrategy.homeByKey());
            return runtime.execute(operation.strategy(claimFirst).build(), regional);
        }
        operation.strategy(RoutingStrategy.homeByKey());
        if (mode == HomeRegionMode.STRICT) {
            // Pinned: hashing over the healthy regions only would move the key once its home's breaker opens.
            operation.homeOnly();
        }
        return runtime.execute(operation.build(), regional);
    }

    private static String token(Region region, String ownerId) {
        return region == null ? ownerId : region.id() + TOKEN_SEPARATOR + ownerId;
    }

    /** The region an owner token names; null without a runtime (one client holds every record). */
    private Region regionOf(String token) {
        int at = token.lastIndexOf(TOKEN_SEPARATOR);
        return runtime == null || at <= 0 ? null : Region.of(token.substring(0, at));
    }

    private static String ownerIdOf(String token) {
        String ownerId = token.substring(token.lastIndexOf(TOKEN_SEPARATOR) + 1);
        if (ownerId.isEmpty()) {
            throw new IllegalArgumentException("claim owner token '" + token
                    + "' was not issued by a DynamoDbIdempotencyStore");
        }
        return ownerId;
    }

    private Optional<Map<String, AttributeValue>> read(DynamoDbClient client, String key) {
        Map<String, AttributeValue> item = client.getItem(GetItemRequest.builder()
                .tableName(table)
                .key(Map.of(ID, AttributeValue.fromS(key)))
                .consistentRead(true)
                .build()).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    static IdempotencyRecord toRecord(Map<String, AttributeValue> item) {
        String key = item.get(ID).s();
        String hash = item.containsKey(VALIDATION) ? item.get(VALIDATION).s() : null;
        Instant expiry = Instant.ofEpochSecond(Long.parseLong(item.get(EXPIRATION).n()));
        if (COMPLETED.equals(item.get(STATUS).s())) {
            AttributeValue data = item.get(DATA);
            String text = data == null || data.s() == null ? "" : data.s();
            AttributeValue encoding = item.get(DATA_ENCODING);
            byte[] result = encoding != null && BASE64.equals(encoding.s())
                    ? Base64.getDecoder().decode(text)
                    : text.getBytes(StandardCharsets.UTF_8);
            return IdempotencyRecord.completed(key, hash, result, expiry);
        }
        // Powertools only writes in_progress_expiration inside Lambda; without it a claim lasts until expiration.
        AttributeValue inProgress = item.get(IN_PROGRESS_EXPIRATION);
        Instant inProgressExpiry = inProgress == null ? expiry : Instant.ofEpochMilli(Long.parseLong(inProgress.n()));
        return IdempotencyRecord.inProgress(key, hash, inProgressExpiry, expiry);
    }

    private static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static AttributeValue number(long n) {
        return AttributeValue.fromN(Long.toString(n));
    }

    /** Builder for {@link DynamoDbIdempotencyStore}; validates each setting as it is given. */
    public static final class Builder {
        private String table;
        private InstantSource clock = InstantSource.system();
        private MultiRegion runtime;
        private Function<Region, DynamoDbClient> clients;
        private DynamoDbClient client;
        private HomeRegionMode mode = HomeRegionMode.STRICT;

        private Builder() {
        }

        /** The table (required). */
        public Builder table(String table) {
            Objects.requireNonNull(table, "table");
            if (table.length() < 3 || table.length() > 255) {
                throw new IllegalArgumentException(
                        "DynamoDbIdempotencyStore.table must have 3 to 255 characters but was '" + table + "'");
            }
            this.table = table;
            return this;
        }

        /**
         * Routes each key to its home region through sdk-core; {@code clients} gives a plain client per region
         * (built once per region and kept — close them yourself when done).
         */
        public Builder runtime(MultiRegion runtime, Function<Region, DynamoDbClient> clients) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            this.clients = Objects.requireNonNull(clients, "clients");
            return this;
        }

        /** Like {@link #runtime(MultiRegion, Function)} with a map of per-region clients. */
        public Builder runtime(MultiRegion runtime, Map<Region, DynamoDbClient> clients) {
            Map<Region, DynamoDbClient> copy = Map.copyOf(Objects.requireNonNull(clients, "clients"));
            return runtime(runtime, region -> {
                DynamoDbClient c = copy.get(region);
                if (c == null) {
                    throw new IllegalArgumentException("DynamoDbIdempotencyStore has no DynamoDbClient for region "
                            + region + "; the runtime(..) map covers " + copy.keySet());
                }
                return c;
            });
        }

        /** Sends every call to this one client (single region, no routing). */
        public Builder client(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** STRICT (default) or AVAILABLE; see the class Javadoc. */
        public Builder mode(HomeRegionMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Clock for liveness checks (default the system clock). */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds it.
         *
         * @throws IllegalArgumentException when the table is missing, or not exactly one of runtime and client is set
         */
        public DynamoDbIdempotencyStore build() {
            if (table == null) {
                throw new IllegalArgumentException("DynamoDbIdempotencyStore.table must be set");
            }
            if (runtime != null && client != null) {
                throw new IllegalArgumentException(
                        "DynamoDbIdempotencyStore: set either runtime(..) or client(..), not both");
            }
            if (runtime == null && client == null) {
                throw new IllegalArgumentException(
                        "DynamoDbIdempotencyStore needs runtime(..) (multi-region) or client(..) (one region)");
            }
            return new DynamoDbIdempotencyStore(this);
        }
    }
}
