package dev.meridian.core.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.ReplicationTimeoutException;
import dev.meridian.testkit.RequestJournal;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.Crc32MismatchException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * sdk-testkit/README.md as a user building tests on it reads it: the fault table, the request journal, global tables
 * and the JUnit extension's reset between tests.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "us-east-1"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestkitReadmeIT {
    private static final String WEST = "eu-west-1";
    private static final String US = "us-east-1";
    private static final String TABLE = "testkit";

    static LocalRegions regions;

    @BeforeAll
    static void table() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    /** A client without retries: each call is one request, one journal entry. */
    private static DynamoDbClient once(String region) {
        return regions.clientBuilder(region)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private static GetItemRequest get(String id) {
        return GetItemRequest.builder().tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(id))).build();
    }

    private static PutItemRequest put(String id) {
        return PutItemRequest.builder().tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(id))).build();
    }

    /** "client(region): ..., Region.of(region), 2 s API-call-attempt timeout, standard retry mode (3 attempts)". */
    @Test
    void theSharedClientIsConfiguredAsDocumented() {
        DynamoDbClient client = regions.client(WEST);
        assertThat(client.serviceClientConfiguration().region()).isEqualTo(Region.EU_WEST_1);
        var o = client.serviceClientConfiguration().overrideConfiguration();
        assertThat(o.apiCallAttemptTimeout()).contains(Duration.ofSeconds(2));
        assertThat(o.retryStrategy()).hasValueSatisfying(s -> assertThat(s.maxAttempts()).isEqualTo(3));
        assertThatThrownBy(() -> regions.client("ap-south-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(WEST, US);
    }

    /** "status(500) / status(503) / any 400..599: that status ... DynamoDbException with that statusCode()". */
    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 409, 413, 500, 501, 502, 503, 504, 599})
    void aStatusFaultIsThatStatusToTheClient(int status) {
        regions.faults(WEST).status(status);
        try (DynamoDbClient client = once(WEST)) {
            assertThatThrownBy(() -> client.getItem(get("s"))).isInstanceOf(DynamoDbException.class)
                    .satisfies(e -> assertThat(((DynamoDbException) e).statusCode()).isEqualTo(status));
        }
        RequestJournal journal = regions.journal(WEST);
        assertThat(journal.count("GetItem")).isEqualTo(1);
        assertThat(journal.entries().get(0).faulted()).isTrue();
        assertThat(journal.entries().get(0).fault()).isPresent();
        assertThat(journal.entries().get(0).table()).contains(TABLE);
    }

    /** "throttle() / throttle(code): HTTP 400 ThrottlingException (or the given code): isThrottlingException() true". */
    @ParameterizedTest
    @ValueSource(strings = {"", "ProvisionedThroughputExceededException", "RequestLimitExceeded"})
    void throttlingIsSeenAsThrottling(String code) {
        if (code.isEmpty()) {
            regions.faults(WEST).throttle();
        } else {
            regions.faults(WEST).throttle(code);
        }
        try (DynamoDbClient client = once(WEST)) {
            assertThatThrownBy(() -> client.getItem(get("t"))).isInstanceOf(DynamoDbException.class).satisfies(e -> {
                DynamoDbException d = (DynamoDbException) e;
                assertThat(d.isThrottlingException()).isTrue();
                assertThat(d.statusCode()).isEqualTo(400);
                assertThat(d.awsErrorDetails().errorCode()).isEqualTo(code.isEmpty() ? "ThrottlingException" : code);
            });
        }
    }

    /**
     * "down(): the port refuses connections (proxy stopped, port kept): SdkClientException caused by
     * ConnectException"; the journal records nothing while down ("nothing connects"); "heal(): back to normal (also
     * after down(), same port)".
     */
    @Test
    void downRefusesConnectionsAndHealComesBackOnTheSamePort() {
        var endpoint = regions.endpoint(WEST);
        regions.faults(WEST).down();
        try (DynamoDbClient client = once(WEST)) {
            assertThatThrownBy(() -> client.getItem(get("d"))).isInstanceOf(SdkClientException.class)
                    .hasRootCauseInstanceOf(ConnectException.class);
            assertThat(regions.journal(WEST).isEmpty()).isTrue();
            regions.faults(WEST).heal();
            assertThat(regions.endpoint(WEST)).isEqualTo(endpoint);
            assertThat(client.getItem(get("d")).hasItem()).isFalse();
        }
        assertThat(regions.journal(WEST).count("GetItem")).isEqualTo(1);
    }

    /** "blackhole(): accepted, never answered: ApiCallAttemptTimeoutException after the attempt timeout". */
    @Test
    void aBlackHoleTimesTheAttemptOut() {
        regions.faults(WEST).blackhole();
        try (DynamoDbClient client = regions.clientBuilder(WEST).overrideConfiguration(o -> o
                .retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallAttemptTimeout(Duration.ofMillis(300))).build()) {
            assertThatThrownBy(() -> client.getItem(get("b"))).isInstanceOf(ApiCallAttemptTimeoutException.class);
        }
        assertThat(regions.journal(WEST).count("GetItem")).as("accepted").isEqualTo(1);
    }

    /** "resetMidResponse(): 200 headers, malformed chunk, close: SdkClientException". */
    @Test
    void aResetMidResponseIsAClientError() {
        regions.faults(WEST).resetMidResponse();
        try (DynamoDbClient client = once(WEST)) {
            assertThatThrownBy(() -> client.getItem(get("r"))).isInstanceOf(SdkClientException.class);
        }
    }

    /**
     * "cutAnswer() / cutChunkedAnswer(): forwarded to DynamoDB Local (a write is applied), then its real status and
     * headers and half its body, then a clean close: a failure to every HTTP client" (the testkit's client is
     * URL-connection's: under Content-Length only the answer's CRC32 check sees the cut).
     */
    @Test
    void aCutAnswersWriteFailsAndIsApplied() {
        try (DynamoDbClient client = once(WEST)) {
            regions.faults(WEST).cutAnswer();
            assertThatThrownBy(() -> client.putItem(put("cut"))).isInstanceOf(Crc32MismatchException.class);
            regions.faults(WEST).cutChunkedAnswer();
            assertThatThrownBy(() -> client.putItem(put("cut-chunked"))).isInstanceOf(SdkClientException.class)
                    .hasRootCauseMessage("Premature EOF");
            regions.faults(WEST).heal();
            assertThat(client.getItem(get("cut")).hasItem()).as("applied").isTrue();
            assertThat(client.getItem(get("cut-chunked")).hasItem()).as("applied").isTrue();
        }
        assertThat(regions.journal(WEST).entries()).extracting(e -> e.fault().orElse("none"))
                .containsExactly("cutAnswer", "cutChunkedAnswer", "none", "none");
    }

    /** "faults(r).once() limits a fault to the next request it matches, then the other faults apply again". */
    @Test
    void aOnceFaultAnswersOneRequest() {
        regions.faults(WEST).throttle();
        regions.faults(WEST).once().cutAnswer();
        try (DynamoDbClient client = once(WEST)) {
            assertThatThrownBy(() -> client.putItem(put("once"))).isInstanceOf(Crc32MismatchException.class);
            assertThatThrownBy(() -> client.putItem(put("once"))).isInstanceOfSatisfying(DynamoDbException.class,
                    e -> assertThat(e.isThrottlingException()).isTrue());
        }
    }

    /**
     * "A new fault replaces the previous one. faults(r).only("PutItem", "UpdateItem").status(503) limits a fault to
     * some operations (takes precedence over region-wide faults; only(...).heal() removes just that one)."
     */
    @Test
    void operationFaultsTakePrecedenceAndHealSeparately() {
        regions.faults(WEST).status(500);
        regions.faults(WEST).status(503);
        regions.faults(WEST).only("PutItem").throttle();
        try (DynamoDbClient client = once(WEST)) {
            assertThatThrownBy(() -> client.getItem(get("o"))).isInstanceOf(DynamoDbException.class)
                    .satisfies(e -> assertThat(((DynamoDbException) e).statusCode()).as("replaced").isEqualTo(503));
            assertThatThrownBy(() -> client.putItem(put("o"))).isInstanceOf(DynamoDbException.class)
                    .satisfies(e -> assertThat(((DynamoDbException) e).isThrottlingException()).isTrue());
            regions.faults(WEST).only("PutItem").heal();
            assertThatThrownBy(() -> client.putItem(put("o"))).isInstanceOf(DynamoDbException.class)
                    .satisfies(e -> assertThat(((DynamoDbException) e).statusCode()).as("region-wide").isEqualTo(503));
            regions.faults(WEST).heal();
            client.putItem(put("o"));
        }
    }

    /**
     * "Faults affect client traffic only; replication keeps flowing"; "Replicator traffic is never recorded";
     * "pauseReplication(from, to) holds changes on a link; resumeReplication delivers them; pendingReplication shows
     * what is held"; "awaitReplication ... else throws ReplicationTimeoutException naming the paused link"; deletes
     * replicate too.
     */
    @Test
    void replicationFlowsUnderFaultsHoldsOnAPausedLinkAndIsNeverJournaled() {
        regions.faults(US).status(503);
        regions.client(WEST).putItem(put("rep-1"));
        regions.awaitReplication(Duration.ofSeconds(20));
        assertThat(regions.journal(US).isEmpty()).as("replicator traffic").isTrue();
        regions.faults(US).heal();
        try (DynamoDbClient us = once(US)) {
            assertThat(us.getItem(get("rep-1").toBuilder().consistentRead(true).build()).hasItem()).isTrue();
        }

        regions.pauseReplication(WEST, US);
        regions.client(WEST).deleteItem(b -> b.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS("rep-1"))));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> regions.pendingReplication(WEST, US) == 1);
        assertThatThrownBy(() -> regions.awaitReplication(Duration.ofMillis(500)))
                .isInstanceOf(ReplicationTimeoutException.class).hasMessageContaining(WEST).hasMessageContaining(US);
        regions.resumeReplication(WEST, US);
        regions.awaitReplication(Duration.ofSeconds(20));
        assertThat(regions.pendingReplication(WEST, US)).isZero();
        assertThat(regions.client(US).getItem(get("rep-1").toBuilder().consistentRead(true).build()).hasItem())
                .as("the delete replicated").isFalse();
    }

    /** "LocalRegionsExtension ... calls reset() before each test (heals every fault, ..., clears the journals)". */
    @Test
    @Order(1)
    void aFaultLeftBehind() {
        regions.faults(WEST).status(500);
        try (DynamoDbClient client = once(WEST)) {
            assertThatThrownBy(client::listTables).isInstanceOf(DynamoDbException.class);
        }
        assertThat(regions.journal(WEST).isEmpty()).isFalse();
    }

    @Test
    @Order(2)
    void isHealedBeforeTheNextTest() {
        assertThat(regions.journal(WEST).isEmpty()).isTrue();
        try (DynamoDbClient client = once(WEST)) {
            assertThat(client.getItem(get("healed")).hasItem()).isFalse();
        }
    }
}
