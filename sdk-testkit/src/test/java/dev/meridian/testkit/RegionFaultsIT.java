package dev.meridian.testkit;

import static dev.meridian.testkit.TestTables.get;
import static dev.meridian.testkit.TestTables.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

@LocalRegionsConfig(regions = {"eu-west-1", "us-east-1"})
class RegionFaultsIT {

    private static final String EU = "eu-west-1";
    private static final String TABLE = "faults";

    private static LocalRegions regions;
    private DynamoDbClient eu;

    @BeforeAll
    static void createTable() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    /**
     * One attempt, so each fault shows as it is; its timeout, which only a black hole should reach, is the regions'
     * default (2 s): on a busy machine an answer (a 503, or the first one of a restarted proxy) can take longer than
     * a few hundred milliseconds.
     */
    @BeforeEach
    void singleAttemptClient() {
        eu = regions.clientBuilder(EU)
                .overrideConfiguration(o -> o
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(Duration.ofSeconds(2)))
                .build();
    }

    @AfterEach
    void closeClient() {
        eu.close();
    }

    @Test
    void status503SurfacesAsDynamoDbExceptionWithStatus503() {
        regions.faults(EU).status(503);

        assertThatThrownBy(() -> get(eu, TABLE, "k"))
                .isInstanceOfSatisfying(DynamoDbException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
    }

    @Test
    void status500SurfacesAsDynamoDbExceptionWithStatus500() {
        regions.faults(EU).status(500);

        assertThatThrownBy(() -> put(eu, TABLE, "k", "v", "1"))
                .isInstanceOfSatisfying(DynamoDbException.class, e -> assertThat(e.statusCode()).isEqualTo(500));
    }

    @Test
    void throttleSurfacesAsThrottlingExceptionThatTheSdkRetries() {
        regions.faults(EU).throttle();

        try (DynamoDbClient retrying = regions.clientBuilder(EU)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(3)
                        .backoffStrategy(BackoffStrategy.retryImmediately())
                        .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())
                        .build()))
                .build()) {
            assertThatThrownBy(() -> get(retrying, TABLE, "k"))
                    .isInstanceOfSatisfying(DynamoDbException.class, e -> {
                        assertThat(e.isThrottlingException()).isTrue();
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
                    });
        }
        // The SDK's retry strategy classified it as retryable: every attempt reached the region.
        assertThat(regions.journal(EU).entries()).hasSize(3)
                .allSatisfy(entry -> assertThat(entry.fault()).contains("throttle(ThrottlingException)"));
    }

    @Test
    void provisionedThroughputThrottleIsAlsoAThrottlingException() {
        regions.faults(EU).throttle("ProvisionedThroughputExceededException");

        assertThatThrownBy(() -> get(eu, TABLE, "k"))
                .isInstanceOfSatisfying(DynamoDbException.class, e -> assertThat(e.isThrottlingException()).isTrue());
    }

    @Test
    void downRegionRefusesConnectionsAndRecordsNothing() {
        regions.faults(EU).down();

        Throwable failure = catchThrowable(() -> get(eu, TABLE, "k"));

        assertThat(failure).isInstanceOf(SdkClientException.class)
                .hasRootCauseInstanceOf(ConnectException.class);
        assertThat(regions.faults(EU).isDown()).isTrue();
        assertThat(regions.journal(EU).isEmpty()).isTrue();
    }

    @Test
    void healBringsADownRegionBackOnTheSameEndpoint() {
        put(regions.client(EU), TABLE, "healed", "v", "1");
        var endpoint = regions.endpoint(EU);
        regions.faults(EU).down();
        assertThatThrownBy(() -> get(eu, TABLE, "healed")).isInstanceOf(SdkClientException.class);

        regions.faults(EU).heal();

        assertThat(regions.endpoint(EU)).isEqualTo(endpoint);
        assertThat(get(eu, TABLE, "healed")).containsKey("v");
    }

    @Test
    void blackholeRunsIntoTheAttemptTimeoutWithinBoundedTime() {
        regions.faults(EU).blackhole();

        long start = System.nanoTime();
        Throwable failure = catchThrowable(() -> get(eu, TABLE, "k"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure).isInstanceOf(ApiCallAttemptTimeoutException.class);
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThat(regions.journal(EU).entries()).singleElement()
                .satisfies(entry -> assertThat(entry.fault()).contains("blackhole"));
    }

    @Test
    void connectBlackholeRunsIntoTheClientsConnectTimeoutAndRecordsNothing() {
        regions.faults(EU).connectBlackhole();

        Throwable failure = catchThrowable(() -> get(eu, TABLE, "k"));

        // The regions' URL-connection client connects within 1 s, under its 2 s attempt timeout.
        assertThat(failure).isInstanceOf(SdkClientException.class)
                .rootCause().isInstanceOf(SocketTimeoutException.class).hasMessageContaining("Connect timed out");
        assertThat(regions.faults(EU).isConnectBlackholed()).isTrue();
        assertThat(regions.journal(EU).isEmpty()).isTrue();
    }

    @Test
    void aConnectWaitingWhenTheConnectBlackholeHealsTakesAboutASecondAndSucceeds() {
        put(regions.client(EU), TABLE, "slow-connect", "v", "1");
        try (DynamoDbClient patient = regions.clientBuilder(EU)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(20)))
                .overrideConfiguration(o -> o
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(Duration.ofSeconds(30)))
                .build()) {
            regions.faults(EU).connectBlackhole();
            long start = System.nanoTime();
            CompletableFuture<Map<String, AttributeValue>> call =
                    CompletableFuture.supplyAsync(() -> get(patient, TABLE, "slow-connect"));
            await().atMost(Duration.ofSeconds(10)).until(() -> regions.faults(EU).waitingConnects() > 0);

            regions.faults(EU).heal();

            assertThat(call.join()).containsKey("v");
            // Linux retransmits an unanswered SYN 1 s after the connect began: slower on a starved machine, never faster.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
        assertThat(regions.journal(EU).count("GetItem")).isEqualTo(1);
    }

    @Test
    void latencyDelaysEveryCallByAtLeastTheInjectedAmount() {
        DynamoDbClient patient = regions.client(EU);
        regions.faults(EU).latency(Duration.ofMillis(250));

        long start = System.nanoTime();
        put(patient, TABLE, "slow", "v", "1");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        regions.awaitReplication();
        assertThat(get(regions.client("us-east-1"), TABLE, "slow")).containsKey("v");
    }

    @Test
    void latencyRangeDelaysCallsByAtLeastTheMinimum() {
        regions.faults(EU).latency(Duration.ofMillis(100), Duration.ofMillis(200));

        long start = System.nanoTime();
        get(regions.client(EU), TABLE, "k");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    }

    @Test
    void resetMidResponseSurfacesAsSdkClientException() {
        regions.faults(EU).resetMidResponse();

        assertThatThrownBy(() -> get(eu, TABLE, "k")).isInstanceOf(SdkClientException.class);
    }

    @Test
    void cutAnswerSendsTheRealAnswersHeadersAndHalfItsBodyThenAFin() throws IOException {
        put(eu, TABLE, "cut", "v", "a value long enough to cut");
        RawAnswer whole = RawAnswer.getItem(regions.endpoint(EU), TABLE, "cut", false);
        regions.faults(EU).cutAnswer();

        RawAnswer cut = RawAnswer.getItem(regions.endpoint(EU), TABLE, "cut", true);  // read to the end: a reset throws

        assertThat(cut.status()).isEqualTo(200);
        assertThat(cut.header("x-amz-crc32")).isEqualTo(whole.header("x-amz-crc32"));
        assertThat(cut.header("Content-Length")).hasValue(Integer.toString(whole.body().length));
        assertThat(cut.header("Transfer-Encoding")).isEmpty();
        assertThat(cut.header(AnswerCut.MARK)).isEmpty();
        assertThat(cut.bodyText()).isEqualTo(whole.bodyText().substring(0, whole.body().length / 2));
        assertThat(regions.journal(EU).entries()).last()
                .satisfies(e -> assertThat(e.fault()).hasValue("cutAnswer"));
    }

    @Test
    void cutChunkedAnswerSendsOneChunkOfHalfTheBodyAndNoLastChunk() throws IOException {
        put(eu, TABLE, "cut-chunked", "v", "a value long enough to cut");
        RawAnswer whole = RawAnswer.getItem(regions.endpoint(EU), TABLE, "cut-chunked", false);
        regions.faults(EU).cutChunkedAnswer();

        RawAnswer cut = RawAnswer.getItem(regions.endpoint(EU), TABLE, "cut-chunked", true);

        String half = whole.bodyText().substring(0, whole.body().length / 2);
        assertThat(cut.status()).isEqualTo(200);
        assertThat(cut.header("x-amz-crc32")).isEqualTo(whole.header("x-amz-crc32"));
        assertThat(cut.header("Transfer-Encoding")).hasValue("chunked");
        assertThat(cut.header("Content-Length")).isEmpty();
        // Jetty ends a chunk with its CRLF when it writes the next chunk's size: the cut comes before that.
        assertThat(cut.bodyText()).isEqualTo(Integer.toHexString(half.length()) + "\r\n" + half);
        assertThat(regions.journal(EU).entries()).last()
                .satisfies(e -> assertThat(e.fault()).hasValue("cutChunkedAnswer"));
    }

    @Test
    void aOnceFaultAnswersTheNextRequestAndThenTheOtherFaultsApply() throws IOException {
        put(eu, TABLE, "once", "v", "1");
        regions.journal(EU).clear();
        regions.faults(EU).status(503);
        regions.faults(EU).once().cutAnswer();

        assertThat(RawAnswer.getItem(regions.endpoint(EU), TABLE, "once", true).status()).isEqualTo(200);
        assertThat(RawAnswer.getItem(regions.endpoint(EU), TABLE, "once", false).status()).isEqualTo(503);
        assertThat(regions.journal(EU).entries()).extracting(e -> e.fault().orElse("none"))
                .containsExactly("cutAnswer", "status(503)");
        regions.faults(EU).heal();
        assertThat(RawAnswer.getItem(regions.endpoint(EU), TABLE, "once", false).status()).isEqualTo(200);
    }

    @Test
    void aCutAnswersWriteIsApplied() {
        regions.faults(EU).only("PutItem").cutAnswer();

        assertThatThrownBy(() -> put(eu, TABLE, "cut-put", "v", "1")).isInstanceOf(SdkClientException.class);

        regions.faults(EU).heal();
        assertThat(get(eu, TABLE, "cut-put")).containsEntry("v", AttributeValue.fromS("1"));
    }

    @Test
    void healRestoresNormalServiceAfterAnErrorFault() {
        regions.faults(EU).status(503);
        assertThatThrownBy(() -> get(eu, TABLE, "k")).isInstanceOf(DynamoDbException.class);

        regions.faults(EU).heal();

        put(eu, TABLE, "after-heal", "v", "1");
        assertThat(get(eu, TABLE, "after-heal")).containsKey("v");
    }

    @Test
    void operationScopedFaultLeavesOtherOperationsWorking() {
        regions.faults(EU).only("PutItem").status(503);

        assertThatThrownBy(() -> put(eu, TABLE, "scoped", "v", "1"))
                .isInstanceOfSatisfying(DynamoDbException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
        assertThat(get(eu, TABLE, "scoped")).isEmpty();

        regions.faults(EU).only("PutItem").heal();
        put(eu, TABLE, "scoped", "v", "1");
        assertThat(get(eu, TABLE, "scoped")).containsKey("v");
    }

    @Test
    void aFaultInOneRegionLeavesTheOtherRegionServing() {
        regions.faults(EU).down();

        put(regions.client("us-east-1"), TABLE, "elsewhere", "v", "1");

        assertThat(get(regions.client("us-east-1"), TABLE, "elsewhere")).containsKey("v");
    }

    @Test
    void unknownRegionIsRejectedNamingTheConfiguredRegions() {
        assertThatThrownBy(() -> regions.faults("ap-south-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ap-south-1")
                .hasMessageContaining("[eu-west-1, us-east-1]");
    }

    @Test
    void invalidFaultSettingsAreRejectedNamingTheSetting() {
        assertThatThrownBy(() -> regions.faults(EU).status(200))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("httpStatus");
        assertThatThrownBy(() -> regions.faults(EU).latency(Duration.ofMillis(5), Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max");
        assertThatThrownBy(() -> regions.faults(EU).only("GetItem").down())
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(regions.journal(EU).entries()).extracting(RequestJournal.Entry::operation)
                .asInstanceOf(InstanceOfAssertFactories.LIST).isEmpty();
    }
}
