package dev.meridian.benchmarks.coldstart;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * One fresh JVM's first write, started by {@link ColdWriteBenchmark}: builds a new three-region runtime the way the
 * README does (local-first from eu-west-1, per-region clients with {@link RegionalClientDefaults}: 2 SDK attempts, a
 * 2 s attempt and call timeout) against the harness's local regions, and makes its first call, a conditional
 * {@code PutItem} ({@code attribute_not_exists(pk)}) of a new key. The table's settings are given up front, so the
 * write is the first request each client sends. Prints one line,
 * {@code COLDWRITE key=.. ok=true|false ms=.. error=..}: whether the write was reported successful, and the time of
 * the call from building the runtime to its answer.
 *
 * <p>Usage: {@code ColdWriteRun <table> <key> <endpoint eu-west-1> <endpoint eu-central-1> <endpoint us-east-1>}
 */
public final class ColdWriteRun {
    static final Region[] REGIONS = {Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1};

    private ColdWriteRun() {
    }

    public static void main(String[] args) {
        if (args.length != 2 + REGIONS.length) {
            throw new IllegalArgumentException("usage: ColdWriteRun <table> <key> <endpoint per region: eu-west-1,"
                    + " eu-central-1, us-east-1>");
        }
        String table = args[0];
        String key = args[1];
        long start = System.nanoTime();
        MultiRegionConfig.Builder config = MultiRegionConfig.builder().localRegion(Region.EU_WEST_1)
                .routing(RoutingStrategy.localFirst());
        for (int i = 0; i < REGIONS.length; i++) {
            config.region(RegionSpec.of(REGIONS[i]).jurisdiction(i < 2 ? "EU" : "US").priority(i)
                    .endpoint(URI.create(args[2 + i])));
        }
        String outcome;
        try (DynamoDbClient orders = MultiRegionDynamoDb.builder()
                .config(config.build())
                .regionalClientFactory((region, spec) -> DynamoDbClient.builder().region(region)
                        .endpointOverride(spec.endpoint().orElseThrow())
                        .credentialsProvider(StaticCredentialsProvider.create(
                                AwsBasicCredentials.create("cold", "write")))
                        .overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build())
                .table(TableConfig.builder(table).partitionKey("pk").build())
                .build()) {
            orders.putItem(PutItemRequest.builder().tableName(table)
                    .item(Map.of("pk", AttributeValue.fromS(key), "v", AttributeValue.fromS("first")))
                    .conditionExpression("attribute_not_exists(pk)").build());
            outcome = "ok=true";
        } catch (RuntimeException e) {
            outcome = "ok=false error=" + e.getClass().getSimpleName();
        }
        System.out.printf("COLDWRITE key=%s ms=%.1f %s%n", key, (System.nanoTime() - start) / 1e6, outcome);
    }
}
