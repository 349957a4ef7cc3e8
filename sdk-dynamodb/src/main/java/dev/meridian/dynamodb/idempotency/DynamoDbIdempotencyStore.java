package dev.meridian.dynamodb.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.FailureDecision;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.IdempotencyClaim;
import dev.meridian.core.idempotency.IdempotencyRecord;
import dev.meridian.core.idempotency.IdempotencyResultNotStoredException;
import dev.meridian.core.idempotency.IdempotencyStore;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
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
 * payload). Meridian adds two attributes Powertools ignores: {@code _mr_owner} (S, a random id of the claim that
 * wrote the in-progress record) and {@code _mr_result_not_stored} (S, on a completed record whose result could not be
 * kept: why).
 *
 * <p><b>Calls.</b> {@link #claim} is one conditional {@code PutItem} ({@code attribute_not_exists(id) OR expiration <
 * :now OR (status = INPROGRESS AND in_progress_expiration < :nowMillis AND (attribute_not_exists(validation) OR
 * validation = :hash))}) with {@code ReturnValuesOnConditionCheckFailure.ALL_OLD}, so a duplicate learns the stored
 * record from the failed put itself: a first execution costs put + update, a replay one call (zero with
 * {@code Idempotency}'s local cache). The validation clause keeps a crashed claim from being taken over by another
 * payload (the caller gets {@code IdempotencyKeyReuseException}). A put refused by the claim's own earlier attempt
 * (an SDK retry after a lost response) is recognised by its {@code _mr_owner} and counts as acquired.
 * {@link #complete} is one {@code UpdateItem} conditional on {@code _mr_owner = :mine}: it never creates a record (one
 * without payload hash and owner would let another payload replay the result) and never completes a successor's
 * claim (it throws {@code IdempotencyResultNotStoredException} instead). {@link #fail} and
 * {@link #completeWithoutResult} are conditional on {@code status = INPROGRESS AND _mr_owner = :mine}, so a slow
 * worker whose claim expired and was taken over cannot delete or close its successor's claim.
 *
 * <p><b>Result size.</b> A DynamoDB item holds at most 400 KB and a binary result is stored as Base64, a third
 * larger, so the store keeps results of at most {@link Builder#maxResultBytes(int)} bytes (default and maximum
 * {@value #DEFAULT_MAX_RESULT_BYTES}). {@code Idempotency} checks the encoded result against it before storing; a
 * larger result is not sent: the record is completed without it and {@code IdempotencyResultNotStoredException} is
 * thrown, so duplicates are refused instead of running the operation again after the in-progress expiry.
 *
 * <p><b>When a failed operation's claim is released.</b> {@code Idempotency} deletes the claim ({@link #fail}) only for
 * a failure known not to have applied the operation: a caller error thrown by the operation, or a failure sdk-core's
 * {@code FailureClassifier} calls {@code REGIONAL_NOT_APPLIED} (connection refused, throttling, 503). A failure that
 * may have been applied ({@code REGIONAL_MAYBE_APPLIED}: a timeout after the request was sent, a 500, a reset
 * mid-call — e.g. the {@code SdkClientException} of a read timeout) keeps the claim: an immediate retry gets
 * {@code IdempotencyInProgressException}, and only after the in-progress expiry does a retry run the operation again.
 *
 * <p><b>Residency.</b> With a runtime, before anything is read or written the store checks its table's replica
 * footprint with sdk-core's {@code MultiRegionSpi.checkResidency}, as the routed DynamoDB client does: for RESTRICTED data,
 * or a context residency limits, a table replicating to a region outside the allowed ones is refused with
 * {@link ResidencyViolationException} — a claim or a stored result never lands in a table that carries it out of its
 * jurisdiction. The footprint is {@link Builder#replicaRegions(Region...)} when declared, else what
 * {@code DescribeTable} reports (routed like a read, cached), else every configured region (fail closed: a table
 * whose footprint is unknown is assumed to replicate everywhere the application runs). Declare the replica regions of
 * a table that holds RESTRICTED claims. A call whose context sets no data class (none open, or a subject alone) runs
 * under the table's {@code TableConfig.defaultDataClass} configured on the routed client, as the client's own calls
 * do, else the configuration's default data class.
 *
 * <p><b>Cross-region safety: the record of a key lives in the key's home region.</b> With a {@link MultiRegion}
 * runtime the key's home is the first region of the key's rendezvous-hash order over the <em>table's regions</em>:
 * the declared {@link Builder#replicaRegions(Region...) replica regions} (those that are configured), else every
 * configured region. That set does not depend on the caller's context, so the same key has the same home with and
 * without a {@code RoutingContext}, and retries and duplicates of a key arriving in different regions or under
 * different contexts meet the same record — a global table's asynchronous replication alone could not stop two
 * regions from both executing. When the home region is unavailable:
 * <ul>
 *   <li>{@link HomeRegionMode#STRICT} (default): claims and reads go to the home region only, healthy or not. When
 *       residency does not allow the home region for the call's context, the call is refused with
 *       {@link ResidencyViolationException} (declare the table's replica regions so keys are homed where the data
 *       may live); when the home fails or its circuit breaker is open the call is refused (the regional failure, or
 *       {@code NoRegionAvailableException}) and nothing executes. Exactly-once holds; availability follows the home
 *       region.</li>
 *   <li>{@link HomeRegionMode#AVAILABLE}: the call moves to the next healthy, allowed region of the table in the key's
 *       hash order. The record written there is separate from the home region's, and the home region's record (if
 *       one was written before the outage) reaches it only by replication: a duplicate served there within the
 *       replication lag (or while replication from the failed region is stalled) can execute the operation a second
 *       time. Use it only for operations where a rare duplicate is cheaper than refusing.</li>
 * </ul>
 *
 * <p><b>Completing where the claim was made.</b> The owner token of a claim names the region whose table took the
 * claim, and {@link #complete}, {@link #completeWithoutResult} and {@link #fail} go to that region first, in both
 * modes — not to wherever the key routes now (in AVAILABLE mode, once the home region is back, that would complete a
 * record nobody claimed and leave the claimed one IN_PROGRESS). If that region fails by then:
 * <ul>
 *   <li>{@code complete} is a plain write (its condition still holds once applied): it moves on along the key's order
 *       only when the region proves it did not apply it ({@code REGIONAL_NOT_APPLIED}: refused connection, 503,
 *       throttling, open breaker), and there completes only the replica of this claim's record. After a failure that
 *       may have applied it (a timeout, a reset, a 500) it is never sent to another region. If it is not stored,
 *       {@code Idempotency} reports {@code IdempotencyResultNotStoredException}; the claim's region still shows
 *       IN_PROGRESS and, after the in-progress expiry, a duplicate with the same payload runs the operation again
 *       (another payload is refused as a reused key).</li>
 *   <li>{@code fail} is best effort: it deletes this claim's record (or a replica of it) in the first region that
 *       answers, guarded by the owner id; where it could not, the in-progress expiry releases the key.</li>
 * </ul>
 * Without a runtime ({@link Builder#client(DynamoDbClient)}) every call goes to that one client with no residency
 * check: fine within one region (e.g. a Lambda function and its table in the same region).
 *
 * <p>Keys are often personal data: logs and exception messages show them only as {@link Idempotency#keyHash(String)}.
 * Liveness is judged with the store's clock ({@link Builder#clock}); give {@code Idempotency} the same one.
 * Thread-safe.
 */
@API(status = STABLE, since = "0.1")
public final class DynamoDbIdempotencyStore implements IdempotencyStore {

    /** What to do when a key's home region is unavailable. */
    public enum HomeRegionMode {
        /** Refuse the call: exactly-once over availability. */
        STRICT,
        /** Use the next region in the key's hash order: availability over exactly-once (see the class Javadoc). */
        AVAILABLE
    }

    /**
     * The default and largest {@link Builder#maxResultBytes(int)}: Base64 makes it 400,000 characters, which leaves
     * room within DynamoDB's 400 KB (409,600 bytes) item limit for the largest key (2,048 bytes) and the other
     * attributes.
     */
    public static final int DEFAULT_MAX_RESULT_BYTES = 300_000;

    static final String ID = "id";
    static final String EXPIRATION = "expiration";
    static final String IN_PROGRESS_EXPIRATION = "in_progress_expiration";
    static final String STATUS = "status";
    static final String DATA = "data";
    static final String DATA_ENCODING = "data_encoding";
    static final String VALIDATION = "validation";
    static final String OWNER = "_mr_owner";
    static final String RESULT_NOT_STORED = "_mr_result_not_stored";
    static final String INPROGRESS = "INPROGRESS";
    static final String COMPLETED = "COMPLETED";
    private static final String BASE64 = "base64";
    /** Separates the region from the owner id in an owner token ({@code eu-west-1/<uuid>}). */
    private static final char TOKEN_SEPARATOR = '/';
    private static final Map<String, String> NAMES = Map.of("#id", ID, "#expiration", EXPIRATION,
            "#in_progress_expiration", IN_PROGRESS_EXPIRATION, "#status", STATUS);

    private static final RoutingStrategy HOME_BY_KEY = RoutingStrategy.homeByKey();

    private final String table;
    private final InstantSource clock;
    private final @Nullable MultiRegion runtime;
    private final @Nullable MultiRegionSpi spi;
    private final MultiRegionDynamoDb.@Nullable Shared shared;
    private final @Nullable DynamoDbClient singleClient;
    private final HomeRegionMode mode;
    private final int maxResultBytes;
    private final @Nullable Set<Region> replicaRegions;
    /** Where keys are homed: the table's regions (declared, else every configured one), independent of any context. */
    private final @Nullable Set<Region> homeRegions;

    private DynamoDbIdempotencyStore(Builder b) {
        // build() has checked it with an IllegalArgumentException naming the setting.
        this.table = Objects.requireNonNull(b.table, "table");
        this.clock = b.clock;
        this.shared = b.shared;
        this.runtime = shared == null ? null : shared.runtime();
        this.spi = runtime == null ? null : MultiRegionSpi.of(runtime);
        this.singleClient = shared == null ? b.client : null;
        this.mode = b.mode;
        this.maxResultBytes = b.maxResultBytes;
        this.replicaRegions = b.replicaRegions;
        if (runtime == null) {
            this.homeRegions = null;
        } else {
            List<Region> configured = runtime.config().regionList();
            List<Region> home = new ArrayList<>(configured);
            if (replicaRegions != null) {
                home.retainAll(replicaRegions);
                SettingRules.check(!home.isEmpty(), "DynamoDbIdempotencyStore.replicaRegions",
                        "must name a region the runtime is configured with " + configured, replicaRegions,
                        "declare the regions the table '" + table + "' replicates to");
            }
            this.homeRegions = Set.copyOf(home);
        }
    }

    /** A builder; the table and a client are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Claims the key (see the class Javadoc); the owner token of an acquired claim is {@code <region>/<owner id>}
     * with a runtime, the owner id alone without.
     *
     * @throws ResidencyViolationException when the table's footprint or the key's STRICT home region is outside the
     *         regions the current context allows (nothing is written)
     */
    @Override
    public IdempotencyClaim claim(String key, @Nullable String payloadHash, Instant inProgressExpiry, Instant expiry) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(inProgressExpiry, "inProgressExpiry");
        Objects.requireNonNull(expiry, "expiry");
        // Drawn per claim from SecureRandom, not once per store: copies restored from one snapshot draw their own.
        String ownerId = UUID.randomUUID().toString();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(key));
        item.put(STATUS, AttributeValue.fromS(INPROGRESS));
        item.put(EXPIRATION, number(expiry.getEpochSecond()));
        item.put(IN_PROGRESS_EXPIRATION, number(inProgressExpiry.toEpochMilli()));
        item.put(OWNER, AttributeValue.fromS(ownerId));
        Map<String, String> names = new HashMap<>(NAMES);
        String crashedClaim = "#status = :inprogress AND #in_progress_expiration < :now_millis";
        if (payloadHash != null) {
            item.put(VALIDATION, AttributeValue.fromS(payloadHash));
            // A crashed claim is taken over by the same payload only: another one is a reused key.
            crashedClaim += " AND (attribute_not_exists(#validation) OR #validation = :validation)";
            names.put("#validation", VALIDATION);
        }
        String condition = "attribute_not_exists(#id) OR #expiration < :now OR (" + crashedClaim + ")";
        return route("idempotency.claim", OperationKind.IDEMPOTENT_WRITE, key, null, (region, client) -> {
            IdempotencyClaim acquired = IdempotencyClaim.acquired(key, token(region, ownerId));
            Instant now = clock.instant();
            Map<String, AttributeValue> values = new HashMap<>();
            values.put(":now", number(now.getEpochSecond()));
            values.put(":now_millis", number(now.toEpochMilli()));
            values.put(":inprogress", AttributeValue.fromS(INPROGRESS));
            if (payloadHash != null) {
                values.put(":validation", AttributeValue.fromS(payloadHash));
            }
            try {
                client.putItem(firstAttempt(region, PutItemRequest.builder()
                        .tableName(table)
                        .item(item)
                        .conditionExpression(condition)
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(values)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                        .build()));
                return acquired;
            } catch (ConditionalCheckFailedException e) {
                // Only endpoints that ignore ALL_OLD return no item; then ask for the record that made the put fail.
                Map<String, AttributeValue> stored = e.hasItem() && !e.item().isEmpty() ? e.item()
                        : read(region, client, key).orElseThrow(() -> e);
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

    /**
     * Completes this claim's record in the claim's region first (see the class Javadoc).
     *
     * @throws IdempotencyResultNotStoredException when the result is longer than {@link #maxResultBytes()} (the
     *         record is then completed without it), or when the claim's record is gone or was taken over by another
     *         claim (nothing is written)
     */
    @Override
    public void complete(IdempotencyClaim claim, byte[] result, Instant expiry) {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(expiry, "expiry");
        String token = claim.owner();
        String key = claim.key();
        Optional<String> text = utf8(result);
        String data = text.orElseGet(() -> Base64.getEncoder().encodeToString(result));
        // maxResultBytes is at most DEFAULT_MAX_RESULT_BYTES, so a stored result always fits a DynamoDB item.
        if (result.length > maxResultBytes) {
            String reason = "the result of " + result.length + " bytes (" + data.length() + " characters stored"
                    + (text.isEmpty() ? " as Base64" : "") + ") is over DynamoDbIdempotencyStore.maxResultBytes "
                    + maxResultBytes;
            completeWithoutResult(claim, reason, expiry);
            throw new IdempotencyResultNotStoredException(key, "Idempotency key " + Idempotency.keyHash(key)
                    + ": the operation ran but its result was not stored: " + reason + "; duplicates are refused"
                    + " with this error until " + expiry + " and do not run it again", reason, null, null);
        }
        String update = "SET #status = :completed, #expiration = :expiration, #data = :data"
                + (text.isPresent() ? " REMOVE #data_encoding, #not_stored" : ", #data_encoding = :encoding"
                + " REMOVE #not_stored");
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":completed", AttributeValue.fromS(COMPLETED));
        values.put(":expiration", number(expiry.getEpochSecond()));
        values.put(":data", AttributeValue.fromS(data));
        if (text.isEmpty()) {
            values.put(":encoding", AttributeValue.fromS(BASE64));
        }
        String ownerId = ownerIdOf(token);
        values.put(":owner", AttributeValue.fromS(ownerId));
        UpdateItemRequest request = UpdateItemRequest.builder()
                .tableName(table)
                .key(Map.of(ID, AttributeValue.fromS(key)))
                .updateExpression(update)
                // Only this claim's own record: never creates one (a record without payload hash and owner would let
                // another payload replay this result), never completes a successor's claim.
                .conditionExpression("#owner = :owner")
                .expressionAttributeNames(Map.of("#status", STATUS, "#expiration", EXPIRATION, "#data", DATA,
                        "#data_encoding", DATA_ENCODING, "#not_stored", RESULT_NOT_STORED, "#owner", OWNER))
                .expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        // A WRITE, not an IDEMPOTENT_WRITE: the condition is still true once the update is applied, so after a failure
        // that may have applied it the update must not be repeated in another region (it stays where it was sent).
        route("idempotency.complete", OperationKind.WRITE, key, regionOf(token), (region, client) -> {
            try {
                client.updateItem(firstAttempt(region, request));
            } catch (ConditionalCheckFailedException e) {
                throw notOurs(key, e);
            }
            return null;
        });
    }

    /**
     * The claim's record is gone (expired) or belongs to another claim (taken over after this claim's in-progress
     * expiry): the result is not stored, and the record there, not this result, answers duplicates.
     */
    private static IdempotencyResultNotStoredException notOurs(String key, ConditionalCheckFailedException e) {
        Map<String, AttributeValue> stored = e.hasItem() ? e.item() : Map.of();
        if (stored.isEmpty()) {
            String reason = "the claim's record is gone (expired, or not replicated to the region that answered)";
            // Where the claim was made it may still be IN_PROGRESS: say what that means for duplicates.
            return new IdempotencyResultNotStoredException(key, "Idempotency key " + Idempotency.keyHash(key)
                    + ": the operation ran but its result was not stored: " + reason + "; where the claim was made"
                    + " it stays IN_PROGRESS until its in-progress expiry, and a duplicate after that runs the"
                    + " operation again", reason, null, e);
        }
        String reason = "the key was taken over by another claim after this claim's in-progress expiry";
        return new IdempotencyResultNotStoredException(key, "Idempotency key " + Idempotency.keyHash(key)
                + ": the operation ran but its result was not stored: " + reason + "; duplicates are answered by the"
                + " key's current record", reason, null, e);
    }

    /**
     * Completes the claim's own in-progress record without a result (in the claim's region first), recording
     * {@code reason} in {@code _mr_result_not_stored}; a record completed or taken over meanwhile is left alone.
     *
     * @throws IllegalStateException when the region that took the call holds no record of the key (the claim's region
     *         failed and the claim has not replicated to the next one yet, or the record is gone): nothing was recorded
     */
    @Override
    public void completeWithoutResult(IdempotencyClaim claim, String reason, Instant expiry) {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(expiry, "expiry");
        String token = claim.owner();
        UpdateItemRequest request = UpdateItemRequest.builder()
                .tableName(table)
                .key(Map.of(ID, AttributeValue.fromS(claim.key())))
                .updateExpression("SET #status = :completed, #expiration = :expiration, #not_stored = :reason"
                        + " REMOVE #data, #data_encoding")
                .conditionExpression("#status = :inprogress AND #owner = :owner")
                .expressionAttributeNames(Map.of("#status", STATUS, "#expiration", EXPIRATION, "#data", DATA,
                        "#data_encoding", DATA_ENCODING, "#not_stored", RESULT_NOT_STORED, "#owner", OWNER))
                .expressionAttributeValues(Map.of(":completed", AttributeValue.fromS(COMPLETED),
                        ":expiration", number(expiry.getEpochSecond()), ":reason", AttributeValue.fromS(reason),
                        ":inprogress", AttributeValue.fromS(INPROGRESS),
                        ":owner", AttributeValue.fromS(ownerIdOf(token))))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
        route("idempotency.completeWithoutResult", OperationKind.IDEMPOTENT_WRITE, claim.key(), regionOf(token),
                (region, client) -> {
                    try {
                        client.updateItem(firstAttempt(region, request));
                    } catch (ConditionalCheckFailedException e) {
                        if (!e.hasItem() || e.item().isEmpty()) {
                            // No record here (moved to a region the claim has not replicated to yet, or gone): nothing
                            // is recorded, and duplicates must not be told they are refused.
                            throw new IllegalStateException("Idempotency key " + Idempotency.keyHash(claim.key())
                                    + ": no record of the claim in " + (region == null ? "the table" : region)
                                    + " to complete without a result (not replicated there yet, or gone)", e);
                        }
                        // Completed after all (a complete that reported a failure was applied) or taken over.
                    }
                    return null;
                });
    }

    /**
     * Deletes the claim's in-progress record only while it still carries the claim's owner id, in the claim's region
     * first (best effort, see the class Javadoc).
     */
    @Override
    public void fail(IdempotencyClaim claim) {
        Objects.requireNonNull(claim, "claim");
        String token = claim.owner();
        DeleteItemRequest request = DeleteItemRequest.builder()
                .tableName(table)
                .key(Map.of(ID, AttributeValue.fromS(claim.key())))
                .conditionExpression("#status = :inprogress AND #owner = :owner")
                .expressionAttributeNames(Map.of("#status", STATUS, "#owner", OWNER))
                .expressionAttributeValues(Map.of(":inprogress", AttributeValue.fromS(INPROGRESS),
                        ":owner", AttributeValue.fromS(ownerIdOf(token))))
                .build();
        route("idempotency.fail", OperationKind.IDEMPOTENT_WRITE, claim.key(), regionOf(token), (region, client) -> {
            try {
                client.deleteItem(firstAttempt(region, request));
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
        return route("idempotency.find", OperationKind.READ, key, null, (region, client) -> read(region, client, key))
                .map(DynamoDbIdempotencyStore::toRecord)
                .filter(r -> r.isLive(now));
    }

    /** The largest result stored, {@link Builder#maxResultBytes(int)}. */
    @Override
    public int maxResultBytes() {
        return maxResultBytes;
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
     * The key's home region: the first of its rendezvous-hash order over the table's regions, the same whatever the
     * context (empty without a runtime).
     */
    public Optional<Region> homeRegion(String key) {
        Objects.requireNonNull(key, "key");
        MultiRegionSpi spi = this.spi;
        if (spi == null) {
            return Optional.empty();
        }
        return Optional.of(spi.homeRegion(Operation.builder("idempotency.home", OperationKind.READ)
                .resource(table).routingKey(key).strategy(HOME_BY_KEY).within(homeRegions).build()));
    }

    /**
     * Runs {@code call} where the key's record lives, after the residency checks of the class Javadoc: with a
     * {@code claimRegion}, that region first and then the key's order over the table's healthy, allowed regions;
     * otherwise the key's STRICT home only, or (AVAILABLE) the key's order.
     */
    private <T> T route(String name, OperationKind kind, String key, @Nullable Region claimRegion,
            BiFunction<Region, DynamoDbClient, T> call) {
        // All three are set together, from a multi-region client, or none is.
        MultiRegion runtime = this.runtime;
        MultiRegionSpi spi = this.spi;
        MultiRegionDynamoDb.Shared shared = this.shared;
        if (runtime == null || spi == null || shared == null) {
            return call.apply(null, singleClient);
        }
        // The table's default data class applies as to the routed client's own calls.
        RoutingContext ctx = shared.context(table, RoutingContext.current());
        // The key's regions are the table's, whatever the context: sdk-core homes it there (homeOnly), and residency
        // only decides whether this call may use that home.
        Operation.Builder operation = Operation.builder(name, kind).resource(table).routingKey(key)
                .within(homeRegions);
        Operation op = operation.build();
        if (spi.footprintMatters(ctx)) {
            spi.checkResidency(op, ctx, footprint(shared));
        }
        Function<Region, T> regional = region -> {
            try {
                T result = call.apply(region, shared.clients().get(region));
                shared.clients().answered(region);
                return result;
            } catch (AwsServiceException e) {
                shared.clients().answered(region);
                throw e;
            }
        };
        if (claimRegion != null) {
            operation.strategy(RoutingStrategy.preferring(claimRegion, HOME_BY_KEY));
        } else if (mode == HomeRegionMode.STRICT) {
            operation.strategy(HOME_BY_KEY).homeOnly();
        } else {
            operation.strategy(HOME_BY_KEY);
        }
        if (claimRegion != null || mode != HomeRegionMode.STRICT) {
            return runtime.execute(operation.build(), regional);
        }
        try {
            return runtime.execute(operation.build(), regional);
        } catch (RuntimeException e) {
            if (FailureClassifier.aws().classify(e) == FailureDecision.REGIONAL_NOT_APPLIED
                    && !(e instanceof NoRegionAvailableException)) {
                // Say what happened in Meridian's terms: the key is held in its home region, nothing ran.
                throw new NoRegionAvailableException("The idempotency key " + Idempotency.keyHash(key)
                        + " lives in its home region " + spi.homeRegion(operation.build()) + ", which did not take "
                        + name + " (" + e
                        .getClass().getSimpleName() + "); STRICT mode holds the key there instead of moving it, and"
                        + " nothing was executed: retry later", e);
            }
            throw e;
        }
    }

    /** The table's replica regions: declared, else what the multi-region client knows or describes. */
    private Set<Region> footprint(MultiRegionDynamoDb.Shared shared) {
        return replicaRegions != null ? replicaRegions : shared.replicaRegions(table);
    }

    private static String token(@Nullable Region region, String ownerId) {
        return region == null ? ownerId : region.id() + TOKEN_SEPARATOR + ownerId;
    }

    /**
     * {@code request} with the runtime's first-attempt budget while the region's client has not answered a call yet:
     * a cold Lambda's first claim pays the client's start-up and must not time out as a write that may have been
     * applied (the routed client's own calls get the same budget in sdk-core's {@code RoutedClient}).
     */
    private <Q> Q firstAttempt(@Nullable Region region, Q request) {
        MultiRegion runtime = this.runtime;
        MultiRegionDynamoDb.Shared shared = this.shared;
        return region == null || runtime == null || shared == null ? request
                : shared.clients().firstAttempt(region, request, runtime.config().firstAttemptTimeout());
    }

    /** The region an owner token names; null without a runtime (one client holds every record). */
    private @Nullable Region regionOf(String token) {
        int at = token.lastIndexOf(TOKEN_SEPARATOR);
        return runtime == null || at <= 0 ? null : Region.of(token.substring(0, at));
    }

    private static String ownerIdOf(String token) {
        String ownerId = token.substring(token.lastIndexOf(TOKEN_SEPARATOR) + 1);
        SettingRules.check(!ownerId.isEmpty(), "claim owner token", "must be issued by a DynamoDbIdempotencyStore",
                SettingRules.quoted(token), "pass the owner token of a claim this store made");
        return ownerId;
    }

    private Optional<Map<String, AttributeValue>> read(@Nullable Region region, DynamoDbClient client, String key) {
        Map<String, AttributeValue> item = client.getItem(firstAttempt(region, GetItemRequest.builder()
                .tableName(table)
                .key(Map.of(ID, AttributeValue.fromS(key)))
                .consistentRead(true)
                .build())).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    static IdempotencyRecord toRecord(Map<String, AttributeValue> item) {
        String key = attribute(item, ID).s();
        AttributeValue validation = item.get(VALIDATION);
        String hash = validation == null ? null : validation.s();
        Instant expiry = Instant.ofEpochSecond(Long.parseLong(attribute(item, EXPIRATION).n()));
        if (COMPLETED.equals(attribute(item, STATUS).s())) {
            AttributeValue notStored = item.get(RESULT_NOT_STORED);
            if (notStored != null && notStored.s() != null) {
                return IdempotencyRecord.completedWithoutResult(key, hash, notStored.s(), expiry);
            }
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

    /** An attribute every record has (Powertools writes them too): one missing means the item is not a record. */
    private static AttributeValue attribute(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null) {
            throw new IllegalStateException("idempotency item without its '" + name + "' attribute: not a record");
        }
        return value;
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
        private @Nullable String table;
        private InstantSource clock = InstantSource.system();
        private MultiRegionDynamoDb.@Nullable Shared shared;
        private @Nullable DynamoDbClient client;
        private HomeRegionMode mode = HomeRegionMode.STRICT;
        private int maxResultBytes = DEFAULT_MAX_RESULT_BYTES;
        private @Nullable Set<Region> replicaRegions;

        private Builder() {
        }

        /** The table (required). */
        public Builder table(String table) {
            String fix = "name the idempotency table (3 to 255 characters)";
            SettingRules.required(table, "DynamoDbIdempotencyStore.table", fix);
            SettingRules.check(table.length() >= 3 && table.length() <= 255, "DynamoDbIdempotencyStore.table",
                    "must have 3 to 255 characters", SettingRules.quoted(table), fix);
            this.table = table;
            return this;
        }

        /**
         * The client the store talks through. A multi-region client from {@link MultiRegionDynamoDb} makes the store
         * multi-region: it routes each key to its home region through that client's runtime and shares its
         * per-region clients and table knowledge (no cache of its own). Any other client gets every call, in one
         * region, with no routing and no residency check.
         */
        public Builder client(DynamoDbClient client) {
            Objects.requireNonNull(client, "client");
            this.shared = MultiRegionDynamoDb.shared(client).orElse(null);
            this.client = client;
            return this;
        }

        /** STRICT (default) or AVAILABLE; see the class Javadoc. */
        public Builder mode(HomeRegionMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * The regions the table replicates to (with a runtime): bounds where keys are homed, and is the footprint
         * residency checks RESTRICTED calls against without a {@code DescribeTable} (see the class Javadoc).
         * Default: what {@code DescribeTable} reports for the residency check (every configured region when unknown),
         * and every configured region for homing.
         */
        public Builder replicaRegions(Set<Region> replicaRegions) {
            String fix = "name the regions the table replicates to, or leave it unset to use DescribeTable";
            SettingRules.required(replicaRegions, "DynamoDbIdempotencyStore.replicaRegions", fix);
            SettingRules.check(!replicaRegions.isEmpty(), "DynamoDbIdempotencyStore.replicaRegions",
                    "must name at least one region", replicaRegions, fix);
            this.replicaRegions = Set.copyOf(replicaRegions);
            return this;
        }

        /** Like {@link #replicaRegions(Set)}. */
        public Builder replicaRegions(Region... replicaRegions) {
            return replicaRegions(Set.of(Objects.requireNonNull(replicaRegions, "replicaRegions")));
        }

        /**
         * The largest result stored, in bytes (default and maximum {@value #DEFAULT_MAX_RESULT_BYTES}, which always
         * fits a DynamoDB item, even as Base64); a larger result is not stored (see the class Javadoc).
         */
        public Builder maxResultBytes(int maxResultBytes) {
            SettingRules.check(maxResultBytes >= 1 && maxResultBytes <= DEFAULT_MAX_RESULT_BYTES,
                    "DynamoDbIdempotencyStore.maxResultBytes", "must be in 1.." + DEFAULT_MAX_RESULT_BYTES
                            + " (a DynamoDB item holds at most 400 KB and Base64 makes binary results a third larger)",
                    maxResultBytes, "store larger results elsewhere (e.g. S3) and return a reference");
            this.maxResultBytes = maxResultBytes;
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
            // IllegalArgumentExceptions, as documented, like every other bad setting of this builder.
            SettingRules.check(table != null, "DynamoDbIdempotencyStore.table", "is required", null,
                    "name the idempotency table");
            SettingRules.check(client != null, "DynamoDbIdempotencyStore.client", "is required", null,
                    "pass a multi-region client from MultiRegionDynamoDb, or a plain DynamoDbClient for one region");
            SettingRules.check(replicaRegions == null || shared != null, "DynamoDbIdempotencyStore.replicaRegions",
                    "need a multi-region client(..) from MultiRegionDynamoDb", replicaRegions + " with a plain client",
                    "pass the multi-region client, or drop replicaRegions: a plain client gets every call");
            return new DynamoDbIdempotencyStore(this);
        }
    }
}
