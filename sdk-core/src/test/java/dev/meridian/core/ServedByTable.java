package dev.meridian.core;

import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * The hedging and ejection tests' table on their regions (eu-west-1 and eu-central-1, from the testkit's
 * {@code @LocalRegionsConfig}): in each region a table of its own (key {@code pk}, not replicated) holding
 * {@code item-1}, whose {@code servedBy} names the region that answered.
 */
final class ServedByTable {
    /** A warm-up read's timeout: a cold client's first read on a busy machine can take several seconds. */
    private static final Duration WARM_UP = Duration.ofSeconds(30);

    private ServedByTable() {
    }

    static void create(LocalRegions regions, String table) {
        for (String r : regions.regions()) {
            // Set-up on a loaded machine, nothing here is measured: a fresh DynamoDB Local's first calls can outlast
            // the default client's 2 s attempts, and a retried CreateTable would find the table its lost first
            // attempt created; so one attempt that waits as long as it takes.
            try (DynamoDbClient c = regions.clientBuilder(r)
                    .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(60)))
                    .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofSeconds(60))
                            .retryStrategy(AwsRetryStrategy.doNotRetry()))
                    .build()) {
                c.createTable(LocalRegions.pkTable(table).toBuilder().billingMode(BillingMode.PAY_PER_REQUEST).build());
                c.putItem(PutItemRequest.builder().tableName(table)
                        .item(Map.of("pk", AttributeValue.fromS("item-1"), "servedBy", AttributeValue.fromS(r)))
                        .build());
            }
        }
    }

    /**
     * Per-region asynchronous (Netty) clients of {@code regions}, built with {@link RegionalClientDefaults} (2 attempts
     * of {@code attemptTimeout}), each warmed up by three {@code warmUp} reads; each is added to {@code opened} for the
     * test to close.
     */
    static Map<Region, DynamoDbAsyncClient> warmedAsyncClients(LocalRegions regions, Duration attemptTimeout,
            GetItemRequest warmUp, List<? super DynamoDbAsyncClient> opened) throws Exception {
        Map<Region, DynamoDbAsyncClient> warmed = new LinkedHashMap<>();
        for (String r : regions.regions()) {
            DynamoDbAsyncClient c = DynamoDbAsyncClient.builder().region(Region.of(r))
                    .endpointOverride(regions.endpoint(r))
                    .credentialsProvider(regions.client(r).serviceClientConfiguration().credentialsProvider())
                    .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                    .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, attemptTimeout)).build();
            opened.add(c);
            // The warm-up reads are not the test's: a cold client on a busy machine gets as long as it needs.
            GetItemRequest patient = warmUp.toBuilder().overrideConfiguration(o -> o.apiCallTimeout(WARM_UP)
                    .apiCallAttemptTimeout(WARM_UP)).build();
            for (int i = 0; i < 3; i++) {
                c.getItem(patient).get(60, TimeUnit.SECONDS);
            }
            warmed.put(Region.of(r), c);
        }
        return warmed;
    }
}
