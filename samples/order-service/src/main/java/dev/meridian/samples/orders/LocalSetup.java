package dev.meridian.samples.orders;

import dev.meridian.testkit.LocalAuroraGlobal;
import dev.meridian.testkit.LocalRegions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Three local regions for the order service: DynamoDB Local per region (global tables {@code orders} and
 * {@code idempotency}, replicated within the EU) and a PostgreSQL primary in eu-west-1 with streaming replicas in
 * eu-central-1 and us-east-1 holding the catalogue; {@link #properties()} points the {@code meridian.*} properties at
 * them. The service itself runs in us-east-1.
 */
final class LocalSetup implements AutoCloseable {
    /** Where the service runs. */
    public static final String LOCAL_REGION = "us-east-1";
    /** Where orders (EU customers' data) and their idempotency records are kept. */
    public static final List<String> EU_REGIONS = List.of("eu-west-1", "eu-central-1");

    private final LocalRegions regions;
    private final LocalAuroraGlobal aurora;

    private LocalSetup(LocalRegions regions, LocalAuroraGlobal aurora) {
        this.regions = regions;
        this.aurora = aurora;
    }

    /** Starts the regions, creates the tables and seeds the catalogue (a few seconds; PostgreSQL is the slow part). */
    public static LocalSetup start() {
        LocalRegions regions = LocalRegions.start("eu-west-1", "eu-central-1", LOCAL_REGION);
        try {
            regions.createGlobalTable(table(Orders.TABLE));
            regions.createGlobalTable(table("idempotency"));
            LocalAuroraGlobal aurora = LocalAuroraGlobal.start("eu-west-1", "eu-central-1", LOCAL_REGION);
            seedCatalogue(aurora);
            return new LocalSetup(regions, aurora);
        } catch (RuntimeException e) {
            regions.close();
            throw e;
        }
    }

    /** The service's configuration for these regions (what {@code application.properties} says against AWS). */
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("meridian.regions", String.join(",", regions.regions()));
        p.put("meridian.local-region", LOCAL_REGION);
        for (String region : regions.regions()) {
            p.put("meridian.region." + region + ".endpoint", regions.endpoint(region).toString());
            p.put("meridian.aurora.region." + region + ".writer-url", aurora.writerJdbcUrl());
            p.put("meridian.aurora.region." + region + ".reader-url",
                    region.equals(aurora.primaryRegion()) ? aurora.writerJdbcUrl() : aurora.readerJdbcUrl(region));
        }
        p.put("meridian.dynamodb.tables.orders.partition-key", "id");
        p.put("meridian.dynamodb.tables.orders.replica-regions", String.join(",", EU_REGIONS));
        p.put("meridian.dynamodb.idempotency.table", "idempotency");
        p.put("meridian.dynamodb.idempotency.replica-regions", String.join(",", EU_REGIONS));
        p.put("meridian.aurora.writer-region", aurora.primaryRegion());
        p.put("spring.datasource.username", aurora.user());
        p.put("spring.datasource.password", aurora.password());
        p.put("spring.datasource.hikari.maximum-pool-size", "2");
        return p;
    }

    /** The DynamoDB regions and their request journals. */
    public LocalRegions regions() {
        return regions;
    }

    /** The PostgreSQL primary and replicas. */
    public LocalAuroraGlobal aurora() {
        return aurora;
    }

    @Override
    public void close() {
        try {
            aurora.close();
        } finally {
            regions.close();
        }
    }

    private static CreateTableRequest table(String name) {
        return CreateTableRequest.builder().tableName(name)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build()).build();
    }

    private static void seedCatalogue(LocalAuroraGlobal aurora) {
        try (Connection c = DriverManager.getConnection(aurora.writerJdbcUrl(), aurora.user(), aurora.password());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE catalogue (sku text PRIMARY KEY, name text NOT NULL, price_cents int NOT NULL)");
            s.execute("INSERT INTO catalogue VALUES ('BK-1', 'Designing Data-Intensive Applications', 4500),"
                    + " ('MUG-7', 'Meridian mug', 1200), ('TEE-3', 'Region drill T-shirt', 2000)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not seed the catalogue on the local primary", e);
        }
        aurora.awaitReplicasCaughtUp();
    }
}
