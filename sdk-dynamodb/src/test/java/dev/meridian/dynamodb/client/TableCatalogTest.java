package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.residency.DataClass;
import dev.meridian.dynamodb.client.TableCatalog.Described;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ReplicaDescription;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * The table facts residency and routing rely on: a footprint that is unknown is every region (fail closed), a bound is
 * only a strict subset of the regions, and a described fact is cached while a failed describe is not trusted.
 */
class TableCatalogTest {
    private static final Region WEST = Region.EU_WEST_1;
    private static final Region CENTRAL = Region.EU_CENTRAL_1;
    private static final Region US = Region.US_EAST_1;
    private static final Set<Region> ALL = Set.of(WEST, CENTRAL, US);

    private final List<String> described = new ArrayList<>();

    private TableCatalog catalog(TableConfig... tables) {
        Map<String, TableConfig> settings = new HashMap<>();
        for (TableConfig t : tables) {
            settings.put(t.tableName(), t);
        }
        return new TableCatalog(settings, ALL);
    }

    private Function<String, Described> describing(Described answer) {
        return table -> {
            described.add(table);
            return answer;
        };
    }

    private static TableDescription table(String pk, String... replicas) {
        TableDescription.Builder b = TableDescription.builder().keySchema(
                KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build(),
                KeySchemaElement.builder().attributeName(pk).keyType(KeyType.HASH).build());
        if (replicas.length > 0) {
            b.replicas(Arrays.stream(replicas)
                    .map(r -> ReplicaDescription.builder().regionName(r).build()).toList());
        }
        return b.build();
    }

    @Test
    void aDescriptionNamesTheHashKeyAndTheReplicasWithTheRegionThatAnswered() {
        Described global = Described.of(table("pk", "us-east-1"), WEST);
        Described regional = Described.of(table("id"), WEST);
        Described emptyReplicas = Described.of(table("id").toBuilder().replicas(List.of()).build(), WEST);

        assertThat(global.partitionKey()).contains("pk");
        assertThat(global.replicas()).containsExactlyInAnyOrder(WEST, US);
        assertThat(global.known()).isTrue();
        assertThat(regional.partitionKey()).contains("id");
        assertThat(regional.replicas()).isEmpty();
        assertThat(emptyReplicas.replicas()).isEmpty();
        assertThat(Described.of(TableDescription.builder().build(), WEST).partitionKey()).isEmpty();
    }

    @Test
    void theFootprintIsConfiguredElseDescribedElseEveryRegion() {
        TableCatalog catalog = catalog(TableConfig.builder("eu_table").replicaRegions(WEST, CENTRAL).build());

        assertThat(catalog.footprint("eu_table", describing(Described.UNKNOWN))).containsExactlyInAnyOrder(WEST, CENTRAL);
        assertThat(described).as("configured: never described").isEmpty();
        assertThat(catalog.footprint("global", describing(Described.of(table("pk", "us-east-1"), CENTRAL))))
                .containsExactlyInAnyOrder(CENTRAL, US);
        assertThat(catalog.footprint("unknown", describing(Described.UNKNOWN))).isEqualTo(ALL);
        assertThat(catalog.footprint("regional", describing(Described.of(table("pk"), WEST))))
                .as("no replicas reported: assumed everywhere").isEqualTo(ALL);
        assertThat(catalog.footprint("failing", table -> {
            throw new IllegalStateException("AccessDenied");
        })).as("a failed describe: assumed everywhere").isEqualTo(ALL);
        assertThat(catalog.needsFootprint("eu_table")).isFalse();
        assertThat(catalog.needsFootprint("global")).isTrue();
    }

    @Test
    void aDescriptionIsCachedAndForgottenOnRequest() {
        TableCatalog catalog = catalog();
        Function<String, Described> describe = describing(Described.of(table("pk", "us-east-1"), CENTRAL));

        catalog.footprint("t", describe);
        catalog.partitionKey("t", describe);
        assertThat(described).containsExactly("t");

        catalog.forget();
        assertThat(catalog.partitionKey("t", describe)).contains("pk");
        assertThat(described).containsExactly("t", "t");
    }

    @Test
    void theBoundIsAStrictSubsetOfTheRegionsConfiguredOrAlreadyDescribedNeverDescribing() {
        TableCatalog catalog = catalog(
                TableConfig.builder("eu_table").replicaRegions(WEST, CENTRAL).build(),
                TableConfig.builder("everywhere").replicaRegions(WEST, CENTRAL, US).build());

        assertThat(catalog.bound("eu_table")).contains(Set.of(WEST, CENTRAL));
        assertThat(catalog.bound("everywhere")).isEmpty();
        assertThat(catalog.bound("global")).as("never described: no cache yet").isEmpty();
        catalog.footprint("global", describing(Described.of(table("pk", "us-east-1"), CENTRAL)));
        catalog.footprint("regional", describing(Described.of(table("pk"), CENTRAL)));
        assertThat(catalog.bound("global")).contains(Set.of(CENTRAL, US));
        assertThat(catalog.bound("regional")).isEmpty();
        assertThat(catalog.bound("other")).as("not described").isEmpty();
        assertThat(described).containsExactly("global", "regional");
    }

    @Test
    void thePartitionKeyIsConfiguredElseDescribed() {
        TableCatalog catalog = catalog(TableConfig.builder("orders").partitionKey("pk").build());

        assertThat(catalog.partitionKey("orders", describing(Described.UNKNOWN))).contains("pk");
        assertThat(catalog.partitionKey("other", describing(Described.of(table("id"), WEST)))).contains("id");
        assertThat(described).containsExactly("other");
        assertThat(catalog.needsPartitionKey("orders")).isFalse();
        assertThat(catalog.needsPartitionKey("other")).isTrue();
        assertThat(catalog.settings("orders")).isPresent();
        assertThat(catalog.settings("other")).isEmpty();
    }

    @Test
    void asyncCallersReadOnlyWhatWasPreloadedAndAFailedPreloadIsUnknown() {
        TableCatalog catalog = catalog();

        assertThat(catalog.footprint("t", TableCatalog.cacheOnly())).as("nothing cached: every region").isEqualTo(ALL);
        catalog.preload(List.of("t", "failing"), table -> table.equals("t")
                ? CompletableFuture.completedFuture(Described.of(table("id", "us-east-1"), WEST))
                : CompletableFuture.failedFuture(new IllegalStateException("AccessDenied"))).join();

        assertThat(catalog.footprint("t", TableCatalog.cacheOnly())).containsExactlyInAnyOrder(WEST, US);
        assertThat(catalog.partitionKey("t", TableCatalog.cacheOnly())).contains("id");
        assertThat(catalog.footprint("failing", TableCatalog.cacheOnly())).isEqualTo(ALL);
        assertThat(catalog.bound("failing")).isEmpty();
        CompletableFuture<Described> pending = new CompletableFuture<>();
        catalog.preload(List.of("slow"), table -> pending);
        assertThat(catalog.footprint("slow", TableCatalog.cacheOnly())).as("not loaded yet").isEqualTo(ALL);
        assertThat(catalog.bound("slow")).isEmpty();
        pending.complete(Described.of(table("id", "us-east-1"), WEST));
        assertThat(catalog.bound("slow")).contains(Set.of(WEST, US));
    }

    @Test
    void tableDefaultsAreKnownWhenAnyTableDeclaresADataClass() {
        assertThat(catalog(TableConfig.builder("table_a").build()).hasTableDefaults()).isFalse();
        assertThat(catalog(TableConfig.builder("table_a").build(),
                TableConfig.builder("table_b").defaultDataClass(DataClass.RESTRICTED).build()).hasTableDefaults())
                .isTrue();
    }
}
