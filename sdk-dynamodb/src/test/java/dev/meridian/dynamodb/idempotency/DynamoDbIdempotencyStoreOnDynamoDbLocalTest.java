package dev.meridian.dynamodb.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.idempotency.IdempotencyClaim;
import dev.meridian.core.idempotency.IdempotencyRecord;
import dev.meridian.core.idempotency.IdempotencyResultNotStoredException;
import dev.meridian.core.idempotency.IdempotencyStatus;
import dev.meridian.dynamodb.EmbeddedDynamoDb;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

/**
 * The store's records and conditions on DynamoDB Local in process ({@link EmbeddedDynamoDb}), one plain client: who
 * gets a claim, what a completed, failed or taken-over claim leaves in the table, what a read returns. Routing across
 * regions is in {@code DynamoDbIdempotencyStoreRoutingTest}; replication in the ITs.
 */
class DynamoDbIdempotencyStoreOnDynamoDbLocalTest {
    private static final String TABLE = "idempotency";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final EmbeddedDynamoDb dynamo = new EmbeddedDynamoDb().table(TABLE, "id", Region.EU_WEST_1);
    private final EmbeddedDynamoDb.Recording client = dynamo.client(Region.EU_WEST_1);
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final DynamoDbIdempotencyStore store = DynamoDbIdempotencyStore.builder().table(TABLE).client(client)
            .clock(now::get).build();

    @AfterEach
    void close() {
        dynamo.close();
    }

    private IdempotencyClaim claim(String key, String hash) {
        return store.claim(key, hash, now.get().plusSeconds(10), now.get().plusSeconds(600));
    }

    private Map<String, AttributeValue> raw(String key) {
        return client.getItem(g -> g.tableName(TABLE).key(Map.of("id", AttributeValue.fromS(key)))
                .consistentRead(true)).item();
    }

    private void storeRaw(Map<String, AttributeValue> item) {
        client.putItem(PutItemRequest.builder().tableName(TABLE).item(item).build());
    }

    @Test
    void aClaimWritesAPowertoolsInProgressRecordOwnedByTheClaim() {
        IdempotencyClaim claim = store.claim("k", "hash", T0.plusMillis(10_500), T0.plusSeconds(600));

        assertThat(claim.acquired()).isTrue();
        assertThat(claim.key()).isEqualTo("k");
        assertThat(claim.owner()).as("no region without a runtime").doesNotContain("/");
        assertThat(raw("k")).containsEntry("status", AttributeValue.fromS("INPROGRESS"))
                .containsEntry("expiration", AttributeValue.fromN(Long.toString(T0.plusSeconds(600).getEpochSecond())))
                .containsEntry("in_progress_expiration",
                        AttributeValue.fromN(Long.toString(T0.plusMillis(10_500).toEpochMilli())))
                .containsEntry("validation", AttributeValue.fromS("hash"))
                .containsEntry("_mr_owner", AttributeValue.fromS(claim.owner()));
        assertThat(store.claim("n", null, T0.plusSeconds(10), T0.plusSeconds(600)).acquired()).isTrue();
        assertThat(raw("n")).doesNotContainKey("validation");
    }

    @Test
    void aDuplicateWhileInProgressGetsTheStoredRecordFromTheFailedPutAlone() {
        claim("k", "hash");
        client.received.clear();

        IdempotencyClaim duplicate = claim("k", "hash");

        assertThat(duplicate.acquired()).isFalse();
        assertThat(client.received).containsExactly("PutItem");
        IdempotencyRecord record = duplicate.existing().orElseThrow();
        assertThat(record.status()).isEqualTo(IdempotencyStatus.IN_PROGRESS);
        assertThat(record.payloadHash()).contains("hash");
        assertThat(record.inProgressExpiry()).contains(T0.plusSeconds(10));
        assertThat(record.expiry()).isEqualTo(T0.plusSeconds(600));
    }

    @Test
    void anExpiredRecordIsClaimedAgainOnlyAfterItsExpirationSecond() {
        IdempotencyClaim first = claim("k", "hash");
        store.complete(first, "r".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(600));

        now.set(T0.plusSeconds(600));
        assertThat(claim("k", "hash").acquired()).as("at the expiration second the record still holds").isFalse();
        now.set(T0.plusSeconds(601));
        assertThat(claim("k", "other").acquired()).as("expired: any payload claims it").isTrue();
    }

    @Test
    void aCrashedClaimIsTakenOverAfterItsInProgressExpiryBySamePayloadOnly() {
        claim("k", "hash");
        claim("anyone", null);

        now.set(T0.plusSeconds(10));
        assertThat(claim("k", "hash").acquired()).as("at the in-progress expiry the claim still holds").isFalse();
        now.set(T0.plusSeconds(10).plusMillis(1));
        IdempotencyClaim other = claim("k", "other");
        assertThat(other.acquired()).isFalse();
        assertThat(other.existing().orElseThrow().payloadDiffers("other")).isTrue();
        assertThat(claim("k", "hash").acquired()).isTrue();
        assertThat(claim("anyone", "whatever").acquired()).as("a claim made without a hash is taken over by any")
                .isTrue();
    }

    @Test
    void aClaimWhosePutWasAppliedBeforeTheSdkRetriedItIsStillOurs() {
        DynamoDbClient resending = new DynamoDbClient() {
            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                client.putItem(request);
                return client.putItem(request);
            }

            @Override
            public String serviceName() {
                return SERVICE_NAME;
            }

            @Override
            public void close() {
            }
        };
        DynamoDbIdempotencyStore retrying = DynamoDbIdempotencyStore.builder().table(TABLE).client(resending)
                .clock(now::get).build();

        IdempotencyClaim claim = retrying.claim("k", "h", T0.plusSeconds(10), T0.plusSeconds(600));

        assertThat(claim.acquired()).isTrue();
        assertThat(raw("k").get("_mr_owner").s()).isEqualTo(claim.owner());
        assertThat(retrying.claim("k", "h", T0.plusSeconds(10), T0.plusSeconds(600)).acquired()).isFalse();
    }

    @Test
    void aTextResultIsStoredAsTextAndABinaryOneAsBase64AndBothReadBack() {
        IdempotencyClaim text = claim("text", "h");
        IdempotencyClaim binary = claim("binary", "h");
        byte[] bytes = {(byte) 0xff, 0, (byte) 0xc3};

        store.complete(text, "grüße €".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(900));
        store.complete(binary, bytes, T0.plusSeconds(900));

        assertThat(raw("text")).containsEntry("status", AttributeValue.fromS("COMPLETED"))
                .containsEntry("data", AttributeValue.fromS("grüße €"))
                .containsEntry("expiration", AttributeValue.fromN(Long.toString(T0.plusSeconds(900).getEpochSecond())))
                .doesNotContainKey("data_encoding");
        assertThat(raw("binary")).containsEntry("data", AttributeValue.fromS(Base64.getEncoder().encodeToString(bytes)))
                .containsEntry("data_encoding", AttributeValue.fromS("base64"));
        IdempotencyRecord record = store.find("text").orElseThrow();
        assertThat(record.status()).isEqualTo(IdempotencyStatus.COMPLETED);
        assertThat(record.result()).hasValueSatisfying(r -> assertThat(new String(r, StandardCharsets.UTF_8))
                .isEqualTo("grüße €"));
        assertThat(record.payloadHash()).contains("h");
        assertThat(store.find("binary").orElseThrow().result()).hasValue(bytes);
    }

    @Test
    void aResultOverTheLimitIsNotStoredTheRecordIsCompletedWithoutItAndDuplicatesSeeWhy() {
        DynamoDbIdempotencyStore small = DynamoDbIdempotencyStore.builder().table(TABLE).client(client)
                .clock(now::get).maxResultBytes(4).build();
        IdempotencyClaim fits = small.claim("fits", null, T0.plusSeconds(10), T0.plusSeconds(600));
        IdempotencyClaim over = small.claim("over", null, T0.plusSeconds(10), T0.plusSeconds(600));

        small.complete(fits, new byte[] {1, 2, 3, 4}, T0.plusSeconds(600));
        assertThatThrownBy(() -> small.complete(over, new byte[] {(byte) 0xff, 2, 3, 4, 5}, T0.plusSeconds(700)))
                .isInstanceOfSatisfying(IdempotencyResultNotStoredException.class, e -> {
                    assertThat(e.key()).isEqualTo("over");
                    assertThat(e.reason()).contains("5 bytes", "as Base64", "maxResultBytes 4");
                });

        assertThat(small.maxResultBytes()).isEqualTo(4);
        assertThat(small.find("fits").orElseThrow().result()).hasValue(new byte[] {1, 2, 3, 4});
        assertThat(raw("over")).containsEntry("status", AttributeValue.fromS("COMPLETED"))
                .containsEntry("expiration", AttributeValue.fromN(Long.toString(T0.plusSeconds(700).getEpochSecond())))
                .containsKey("_mr_result_not_stored").doesNotContainKey("data");
        IdempotencyRecord record = small.find("over").orElseThrow();
        assertThat(record.status()).isEqualTo(IdempotencyStatus.COMPLETED);
        assertThat(record.result()).isEmpty();
        assertThat(record.resultNotStoredReason()).hasValueSatisfying(r -> assertThat(r).contains("5 bytes"));
        IdempotencyClaim text = small.claim("text", null, T0.plusSeconds(10), T0.plusSeconds(600));
        assertThatThrownBy(() -> small.complete(text, "hello".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(700)))
                .isInstanceOfSatisfying(IdempotencyResultNotStoredException.class,
                        e -> assertThat(e.reason()).doesNotContain("Base64"));
    }

    @Test
    void completingAClaimWhoseRecordIsGoneOrTakenOverStoresNothing() {
        IdempotencyClaim gone = claim("gone", "h");
        client.deleteItem(d -> d.tableName(TABLE).key(Map.of("id", AttributeValue.fromS("gone"))));
        IdempotencyClaim slow = claim("taken", "h");
        now.set(T0.plusSeconds(11));
        IdempotencyClaim successor = claim("taken", "h");

        assertThatThrownBy(() -> store.complete(gone, new byte[] {1}, T0.plusSeconds(600)))
                .isInstanceOfSatisfying(IdempotencyResultNotStoredException.class,
                        e -> assertThat(e.reason()).contains("gone"));
        assertThat(raw("gone")).as("complete never creates a record").isEmpty();
        assertThatThrownBy(() -> store.complete(slow, new byte[] {1}, T0.plusSeconds(600)))
                .isInstanceOfSatisfying(IdempotencyResultNotStoredException.class,
                        e -> assertThat(e.reason()).contains("taken over"));
        assertThat(raw("taken")).containsEntry("status", AttributeValue.fromS("INPROGRESS"))
                .containsEntry("_mr_owner", AttributeValue.fromS(successor.owner()));
    }

    @Test
    void failDeletesOnlyTheClaimsOwnInProgressRecord() {
        IdempotencyClaim mine = claim("mine", "h");
        IdempotencyClaim done = claim("done", "h");
        store.complete(done, new byte[] {1}, T0.plusSeconds(600));
        IdempotencyClaim slow = claim("taken", "h");
        now.set(T0.plusSeconds(11));
        IdempotencyClaim successor = claim("taken", "h");

        store.fail(mine);
        store.fail(done);
        store.fail(slow);

        assertThat(raw("mine")).isEmpty();
        assertThat(raw("done")).containsEntry("status", AttributeValue.fromS("COMPLETED"));
        assertThat(raw("taken")).containsEntry("_mr_owner", AttributeValue.fromS(successor.owner()));
        store.fail(mine);
        assertThat(raw("mine")).as("failing twice is harmless").isEmpty();
    }

    @Test
    void completeWithoutResultClosesOnlyTheClaimsOwnInProgressRecord() {
        IdempotencyClaim mine = claim("mine", "h");
        IdempotencyClaim done = claim("done", "h");
        store.complete(done, "kept".getBytes(StandardCharsets.UTF_8), T0.plusSeconds(600));
        IdempotencyClaim slow = claim("taken", "h");
        now.set(T0.plusSeconds(11));
        claim("taken", "h");

        store.completeWithoutResult(mine, "too big", T0.plusSeconds(800));
        store.completeWithoutResult(done, "too big", T0.plusSeconds(800));
        store.completeWithoutResult(slow, "too big", T0.plusSeconds(800));

        assertThat(raw("mine")).containsEntry("status", AttributeValue.fromS("COMPLETED"))
                .containsEntry("_mr_result_not_stored", AttributeValue.fromS("too big"))
                .containsEntry("expiration", AttributeValue.fromN(Long.toString(T0.plusSeconds(800).getEpochSecond())));
        assertThat(raw("done")).containsEntry("data", AttributeValue.fromS("kept"))
                .doesNotContainKey("_mr_result_not_stored");
        assertThat(raw("taken")).containsEntry("status", AttributeValue.fromS("INPROGRESS"));
    }

    @Test
    void findReturnsLiveRecordsOnly() {
        claim("k", "h");

        assertThat(store.find("missing")).isEmpty();
        assertThat(store.find("k")).isPresent();
        now.set(T0.plusSeconds(10).plusMillis(1));
        assertThat(store.find("k")).as("a crashed claim is no longer live").isEmpty();
    }

    @Test
    void powertoolsRecordsAreReadAsTheyAre() {
        long expiry = T0.plusSeconds(600).getEpochSecond();
        // Powertools outside Lambda writes no in_progress_expiration: the claim lasts until expiration.
        storeRaw(Map.of("id", AttributeValue.fromS("lambda"), "status", AttributeValue.fromS("INPROGRESS"),
                "expiration", AttributeValue.fromN(Long.toString(expiry))));
        storeRaw(Map.of("id", AttributeValue.fromS("empty"), "status", AttributeValue.fromS("COMPLETED"),
                "expiration", AttributeValue.fromN(Long.toString(expiry))));
        storeRaw(Map.of("id", AttributeValue.fromS("plain"), "status", AttributeValue.fromS("COMPLETED"),
                "expiration", AttributeValue.fromN(Long.toString(expiry)), "data", AttributeValue.fromS("x"),
                "data_encoding", AttributeValue.fromS("utf8"), "_mr_result_not_stored", AttributeValue.fromN("1")));
        storeRaw(Map.of("id", AttributeValue.fromS("broken"), "status", AttributeValue.fromS("COMPLETED")));

        IdempotencyRecord lambda = store.find("lambda").orElseThrow();
        assertThat(lambda.status()).isEqualTo(IdempotencyStatus.IN_PROGRESS);
        assertThat(lambda.inProgressExpiry()).contains(T0.plusSeconds(600));
        assertThat(lambda.payloadHash()).isEmpty();
        assertThat(store.find("empty").orElseThrow().result()).hasValue(new byte[0]);
        assertThat(store.find("plain").orElseThrow().result()).hasValue("x".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.find("broken")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'expiration'");
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.toRecord(Map.of("id", AttributeValue.fromS("x"),
                "expiration", AttributeValue.fromN("1")))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'status'");
    }

    @Test
    void anOwnerTokenThatNoStoreIssuedIsRefused() {
        assertThatThrownBy(() -> store.fail(IdempotencyClaim.acquired("k", "eu-west-1/")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claim owner token");
        assertThat(client.received).isEmpty();
    }

    @Test
    void withoutARuntimeThereIsNoHomeRegion() {
        assertThat(store.homeRegion("k")).isEmpty();
        assertThat(store.table()).isEqualTo(TABLE);
        assertThat(store.mode()).isEqualTo(DynamoDbIdempotencyStore.HomeRegionMode.STRICT);
        assertThat(store.maxResultBytes()).isEqualTo(DynamoDbIdempotencyStore.DEFAULT_MAX_RESULT_BYTES);
    }

    @Test
    void theBuilderNamesTheSettingThatIsWrong() {
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().client(client).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DynamoDbIdempotencyStore.table");
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table(TABLE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DynamoDbIdempotencyStore.client");
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table("ab"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 to 255");
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table("t".repeat(256)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 to 255");
        assertThat(DynamoDbIdempotencyStore.builder().table("abc").client(client).build().table()).isEqualTo("abc");
        assertThat(DynamoDbIdempotencyStore.builder().table("t".repeat(255)).client(client).build().table())
                .hasSize(255);
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().maxResultBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxResultBytes");
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder()
                .maxResultBytes(DynamoDbIdempotencyStore.DEFAULT_MAX_RESULT_BYTES + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxResultBytes");
        assertThat(DynamoDbIdempotencyStore.builder().table(TABLE).client(client).maxResultBytes(1).build()
                .maxResultBytes()).isEqualTo(1);
        assertThat(DynamoDbIdempotencyStore.builder().table(TABLE).client(client)
                .maxResultBytes(DynamoDbIdempotencyStore.DEFAULT_MAX_RESULT_BYTES).build().maxResultBytes())
                .isEqualTo(DynamoDbIdempotencyStore.DEFAULT_MAX_RESULT_BYTES);
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().replicaRegions(Set.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one region");
        assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table(TABLE).client(client)
                .replicaRegions(Region.EU_WEST_1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("with a plain client");
        assertThat(DynamoDbIdempotencyStore.builder().table(TABLE).client(client)
                .mode(DynamoDbIdempotencyStore.HomeRegionMode.AVAILABLE).build().mode())
                .isEqualTo(DynamoDbIdempotencyStore.HomeRegionMode.AVAILABLE);
    }
}
