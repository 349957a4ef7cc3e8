package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.execution.FailureDecision;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RegionFaults;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.exception.Crc32MismatchException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What a clean cut ({@code RegionFaults.cutAnswer()}: the request applied, the real status and headers, half the body,
 * then a FIN; {@code cutChunkedAnswer()}: the same with a chunked body and no last chunk) is to each HTTP client, with
 * no Meridian in between: a failure to every one of them, each of which {@code FailureClassifier.aws()} takes as
 * {@code REGIONAL_MAYBE_APPLIED}, and the cut write was applied. Two clients take a cut body as complete themselves and
 * only the DynamoDB client's check of the answer's {@code x-amz-crc32} turns it into a failure
 * ({@code Crc32MismatchException}, which the SDK does not retry): URL-connection under {@code Content-Length}, Netty
 * under chunked encoding. The other cases fail in the HTTP client (a premature end of the body) and the SDK retries
 * them once (two attempts, both applied, harmless for a put). Pinned per client and framing: this fails if the SDK's
 * behaviour changes.
 */
@LocalRegionsConfig(regions = {"eu-west-1"})
class CleanCutAnswerIT {
    private static final String TABLE = "cond_clean_cut";
    private static final String REGION = "eu-west-1";
    private static final String STORED = "stored";
    /** A condition that is no guard against the put's own repeat; the stored item fails it. */
    private static final String NO_GUARD = "attribute_not_exists(pk) OR begins_with(pk, :p)";
    private static final Map<String, AttributeValue> NO_GUARD_VALUES = Map.of(":p", AttributeValue.fromS("k"));
    static LocalRegions regions;

    enum Framing {
        CONTENT_LENGTH(RegionFaults::cutAnswer), CHUNKED(RegionFaults::cutChunkedAnswer);

        private final Consumer<RegionFaults> cut;

        Framing(Consumer<RegionFaults> cut) {
            this.cut = cut;
        }
    }

    /** What a client reports of a cut answer: the failure, the root of its cause chain, and the SDK's attempts. */
    record Seen(Class<? extends Throwable> failure, String rootCause, String rootMessage, int attempts) {
    }

    @BeforeAll
    static void table() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.client(REGION).putItem(p -> p.tableName(TABLE).item(Shape.key(STORED)));
    }

    static Stream<Arguments> clients() {
        return Stream.of(
                Arguments.of(HttpClientKind.APACHE, Framing.CONTENT_LENGTH, new Seen(SdkClientException.class,
                        "org.apache.http.ConnectionClosedException", "Premature end of Content-Length delimited", 2)),
                Arguments.of(HttpClientKind.APACHE, Framing.CHUNKED, new Seen(SdkClientException.class,
                        "org.apache.http.MalformedChunkCodingException", "CRLF expected at end of chunk", 2)),
                Arguments.of(HttpClientKind.APACHE5, Framing.CONTENT_LENGTH, new Seen(SdkClientException.class,
                        "org.apache.hc.core5.http.ConnectionClosedException",
                        "Premature end of Content-Length delimited", 2)),
                Arguments.of(HttpClientKind.APACHE5, Framing.CHUNKED, new Seen(SdkClientException.class,
                        "org.apache.hc.core5.http.MalformedChunkCodingException", "CRLF expected at end of chunk", 2)),
                Arguments.of(HttpClientKind.URL_CONNECTION, Framing.CONTENT_LENGTH, new Seen(
                        Crc32MismatchException.class, Crc32MismatchException.class.getName(), "Expected", 1)),
                Arguments.of(HttpClientKind.URL_CONNECTION, Framing.CHUNKED, new Seen(SdkClientException.class,
                        "java.io.IOException", "Premature EOF", 2)),
                Arguments.of(HttpClientKind.NETTY_ASYNC, Framing.CONTENT_LENGTH, new Seen(SdkClientException.class,
                        "java.io.IOException", "Response had content-length of", 2)),
                Arguments.of(HttpClientKind.NETTY_ASYNC, Framing.CHUNKED, new Seen(
                        Crc32MismatchException.class, Crc32MismatchException.class.getName(), "Expected", 1)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("clients")
    void aCutAnswerIsAnAmbiguousFailureAndTheCutWriteWasApplied(HttpClientKind http, Framing framing, Seen seen) {
        String key = "cut-" + http + "-" + framing;
        Throwable put;
        Throwable get;
        regions.faults(REGION).heal();
        if (http.async()) {
            try (DynamoDbAsyncClient client = http.asyncClient(regions, Region.EU_WEST_1, Duration.ofSeconds(2))) {
                framing.cut.accept(regions.faults(REGION));
                put = failure(() -> client.putItem(p -> p.tableName(TABLE).item(Shape.key(key))).join());
                get = failure(() -> client.getItem(g -> g.tableName(TABLE).key(Shape.key(STORED))).join());
            }
        } else {
            try (DynamoDbClient client = http.syncClient(regions, Region.EU_WEST_1, Duration.ofSeconds(2))) {
                framing.cut.accept(regions.faults(REGION));
                put = failure(() -> client.putItem(p -> p.tableName(TABLE).item(Shape.key(key))));
                get = failure(() -> client.getItem(g -> g.tableName(TABLE).key(Shape.key(STORED))));
            }
        }
        long putsSent = regions.journal(REGION).count("PutItem");
        regions.faults(REGION).heal();

        assertSeen("PutItem", put, seen);
        assertSeen("GetItem (an item that exists)", get, seen);
        assertThat(putsSent).as("PutItem attempts that reached the region").isEqualTo(seen.attempts());
        assertThat(regions.client(REGION).getItem(g -> g.tableName(TABLE).key(Shape.key(key))).hasItem())
                .as("the put whose answer was cut was applied").isTrue();
    }

    /**
     * An error answer cut the same way (a put refused by a condition that is no guard, so an unguarded write whose call
     * Meridian listens to at the wire: HTTP 400, half its body, a FIN),
     * through Meridian's routed client over the documented per-region clients, whose response interceptor reads the
     * error answers of the calls Meridian makes: the failure is the SDK's own, as without the interceptor, never an
     * unchecked exception of Meridian's, which the SDK would neither retry nor report as its own (Apache 5 and
     * URL-connection ended with {@code UncheckedIOException} before).
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("clients")
    void aCutErrorAnswerThroughMeridianIsTheSdksOwnFailure(HttpClientKind http, Framing framing, Seen seen) {
        MultiRegionConfig config = MultiRegionConfig.builder().region(RegionSpec.of(Region.EU_WEST_1))
                .localRegion(Region.EU_WEST_1).build();
        Throwable put;
        regions.faults(REGION).heal();
        if (http.async()) {
            try (DynamoDbAsyncClient client = MultiRegionDynamoDb.builder().config(config)
                    .asyncClientFactory(r -> http.asyncClient(regions, r, Duration.ofSeconds(2))).buildAsyncClient()) {
                framing.cut.accept(regions.faults(REGION));
                put = failure(() -> client.putItem(p -> p.tableName(TABLE).item(Shape.key(STORED))
                        .conditionExpression(NO_GUARD).expressionAttributeValues(NO_GUARD_VALUES)).join());
            }
        } else {
            try (DynamoDbClient client = MultiRegionDynamoDb.builder().config(config)
                    .clientFactory(r -> http.syncClient(regions, r, Duration.ofSeconds(2))).build()) {
                framing.cut.accept(regions.faults(REGION));
                put = failure(() -> client.putItem(p -> p.tableName(TABLE).item(Shape.key(STORED))
                        .conditionExpression(NO_GUARD).expressionAttributeValues(NO_GUARD_VALUES)));
            }
        }
        regions.faults(REGION).heal();

        assertThat(put).as("a refused put's cut error answer").isInstanceOf(SdkException.class);
    }

    private static void assertSeen(String call, Throwable thrown, Seen seen) {
        assertThat(thrown).as("%s through a cut answer", call).isInstanceOf(seen.failure());
        Throwable root = rootCause(thrown);
        assertThat(root.getClass().getName()).as("%s: root cause of %s", call, thrown).isEqualTo(seen.rootCause());
        assertThat(root.getMessage()).as("%s: root cause of %s", call, thrown).startsWith(seen.rootMessage());
        assertThat(thrown.getMessage()).as("%s", call).contains("(SDK Attempt Count: " + seen.attempts() + ")");
        assertThat(FailureClassifier.aws().classify(thrown)).as("%s: %s", call, thrown)
                .isEqualTo(FailureDecision.REGIONAL_MAYBE_APPLIED);
    }

    private static Throwable failure(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        return thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }
}
