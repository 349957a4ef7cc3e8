package dev.meridian.dynamodb.acceptance.idempotency;

import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * How many times a guarded operation ran: a counter per key in a real table, counted and read through eu-west-1's
 * direct (never faulted) endpoint with one attempt and a generous timeout, since an SDK retry of an ADD would count
 * one run twice.
 */
final class RunWitness implements AutoCloseable {
    private final DynamoDbClient client;
    private final String table;

    /** {@code table}: a global table keyed by {@code pk}, created by the suite. */
    RunWitness(LocalRegions regions, String table) {
        this.table = table;
        this.client = regions.clientBuilder("eu-west-1").endpointOverride(regions.directEndpoint("eu-west-1"))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(Duration.ofSeconds(30)).apiCallTimeout(Duration.ofSeconds(30)))
                .build();
    }

    /** Counts a run of {@code key}; returns the runs counted so far, this one included. */
    String countRun(String key) {
        return client.updateItem(u -> u.tableName(table).key(Map.of("pk", AttributeValue.fromS(key)))
                .updateExpression("ADD applies :one").expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes().get("applies").n();
    }

    /** The runs of {@code key} counted so far (a consistent read). */
    int runs(String key) {
        AttributeValue n = client.getItem(g -> g.tableName(table).key(Map.of("pk", AttributeValue.fromS(key)))
                .consistentRead(true)).item().get("applies");
        return n == null ? 0 : Integer.parseInt(n.n());
    }

    @Override
    public void close() {
        client.close();
    }
}
