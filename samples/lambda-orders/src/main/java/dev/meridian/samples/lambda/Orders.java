package dev.meridian.samples.lambda;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * What the orders function builds once per execution environment: the Meridian runtime, the routed
 * {@link DynamoDbClient} of the orders table and the {@link Idempotency} of {@code POST /orders}, all from
 * environment variables ({@code MERIDIAN_*} for Meridian, see docs/configuration.md; {@code ORDERS_TABLE} and
 * {@code ORDERS_IDEMPOTENCY_TABLE} for the two table names). One per-region {@link DynamoDbClient} serves both the
 * routed client and the idempotency store; each is built on its region's first call, with the AWS SDK's Lambda
 * advice: the URL-connection HTTP client and the credentials Lambda sets, no provider chain.
 */
final class Orders implements AutoCloseable {
    static final String DEFAULT_ORDERS_TABLE = "orders";
    static final String DEFAULT_IDEMPOTENCY_TABLE = "orders-idempotency";

    private final MultiRegion runtime;
    private final DynamoDbClient dynamo;
    private final Idempotency idempotency;
    private final String ordersTable;

    private Orders(MultiRegion runtime, DynamoDbClient dynamo, Idempotency idempotency, String ordersTable) {
        this.runtime = runtime;
        this.dynamo = dynamo;
        this.idempotency = idempotency;
        this.ordersTable = ordersTable;
    }

    /** Built from {@code System.getenv()} and the system properties. */
    static Orders fromEnvironment() {
        return fromEnvironment(System.getenv(), System.getProperties());
    }

    /**
     * Built from the given variables and properties.
     *
     * @throws IllegalArgumentException naming the variable whose value is missing or invalid
     */
    static Orders fromEnvironment(Map<String, String> env, Properties props) {
        MultiRegionConfig config = MultiRegionConfig.fromEnvironment(env, props);
        List<TableConfig> tables = TableConfig.fromEnvironment(env, props);
        String ordersTable = env.getOrDefault("ORDERS_TABLE", DEFAULT_ORDERS_TABLE);
        String idempotencyTable = env.getOrDefault("ORDERS_IDEMPOTENCY_TABLE", DEFAULT_IDEMPOTENCY_TABLE);
        MultiRegion runtime = MultiRegion.builder(config).build();
        AwsCredentialsProvider credentials = credentials(env);
        DynamoDbClient dynamo = null;
        try {
            dynamo = MultiRegionDynamoDb.builder()
                    .multiRegion(runtime)
                    .regionalClientFactory((region, spec) -> regionalClient(region, spec, credentials))
                    .tables(tables)
                    .build();
            DynamoDbIdempotencyStore.Builder store = DynamoDbIdempotencyStore.builder()
                    .table(idempotencyTable)
                    .client(dynamo); // shares the routed client's runtime and per-region clients
            tables.stream().filter(t -> t.tableName().equals(idempotencyTable)).findFirst()
                    .flatMap(TableConfig::replicaRegions).ifPresent(store::replicaRegions);
            Idempotency idempotency = Idempotency.builder().store(store.build()).ttl(Duration.ofHours(24)).build();
            return new Orders(runtime, dynamo, idempotency, ordersTable);
        } catch (RuntimeException | Error e) {
            if (dynamo != null) {
                dynamo.close();
            }
            runtime.close();
            throw e;
        }
    }

    /**
     * The credentials Lambda hands the function: the {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY} /
     * {@code AWS_SESSION_TOKEN} variables, else (SnapStart, where credentials are not in the environment) the
     * container credentials endpoint. Cheaper to start than the SDK's default provider chain.
     */
    private static AwsCredentialsProvider credentials(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || secret == null) {
            return ContainerCredentialsProvider.create();
        }
        String token = env.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(token == null ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, token));
    }

    private static DynamoDbClient regionalClient(Region region, RegionSpec spec, AwsCredentialsProvider credentials) {
        DynamoDbClientBuilder b = DynamoDbClient.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration());
        spec.endpoint().ifPresent(b::endpointOverride);
        return b.build();
    }

    MultiRegion runtime() {
        return runtime;
    }

    DynamoDbClient dynamo() {
        return dynamo;
    }

    Idempotency idempotency() {
        return idempotency;
    }

    String ordersTable() {
        return ordersTable;
    }

    @Override
    public void close() {
        dynamo.close(); // and its per-region clients, which the idempotency store shares
        runtime.close();
    }

    @Override
    public String toString() {
        return "Orders[table=" + ordersTable + ", regions=" + runtime.config().regionList() + ']';
    }
}
