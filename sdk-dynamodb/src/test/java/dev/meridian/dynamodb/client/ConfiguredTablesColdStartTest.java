package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.dynamodb.FakeRegionClient;
import dev.meridian.testkit.ClassPathWithout;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Cold start: when every table's partition key and replica regions are configured (the recommended Lambda setup),
 * building the routed client and serving its first calls loads none of Caffeine — the describe cache is built only
 * when a table has to be described. Checked in a class loader that cannot see Caffeine at all (and one without the
 * async client's interface).
 */
class ConfiguredTablesColdStartTest {

    /** Runs inside a class loader without Caffeine; in-memory region clients stand in for DynamoDB. */
    public static final class Probe implements Supplier<String> {
        @Override
        public String get() {
            Map<Region, FakeRegionClient> fakes = new ConcurrentHashMap<>();
            try (DynamoDbClient routed = ColdOrdersClient.over(fakes,
                    new Region[] {Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1},
                    Region.EU_WEST_1, Region.EU_CENTRAL_1)) {
                routed.putItem(p -> p.tableName("orders").item(Map.of("pk", AttributeValue.fromS("o1"))));
                boolean found = routed.getItem(g -> g.tableName("orders").key(Map.of("pk", AttributeValue.fromS("o1"))))
                        .hasItem();
                return fakes.get(Region.EU_WEST_1).received + " found=" + found;
            }
        }
    }

    @Test
    void configuredTablesServeTheirFirstCallsWithoutCaffeineOnTheClasspath() throws Exception {
        try (URLClassLoader isolated = ClassPathWithout.packages("com.github.benmanes.caffeine.")) {
            assertThatThrownBy(() -> isolated.loadClass("com.github.benmanes.caffeine.cache.Caffeine"))
                    .isInstanceOf(ClassNotFoundException.class);
            @SuppressWarnings("unchecked")
            Supplier<String> probe = (Supplier<String>) ClassPathWithout.newInstance(isolated, Probe.class);
            assertThat(probe.get()).isEqualTo("[PutItem, GetItem] found=true");
        }
    }

    /**
     * Neither does the sync client load the async interface: a builder whose bytecode returned the routed async client
     * as a {@code DynamoDbAsyncClient} made the verifier load that large interface on the builder's first use.
     */
    @Test
    void theSyncClientIsBuiltAndServedWithoutTheAsyncClientInterface() throws Exception {
        try (URLClassLoader isolated = ClassPathWithout.packages(
                "software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient")) {
            @SuppressWarnings("unchecked")
            Supplier<String> probe = (Supplier<String>) ClassPathWithout.newInstance(isolated, Probe.class);
            assertThat(probe.get()).isEqualTo("[PutItem, GetItem] found=true");
        }
    }

    /**
     * Nor the settings catalogue ({@code dev.meridian.core.settings}: every setting's declaration, parser and rule,
     * built in one static initializer): an application that configures Meridian with the builders and takes the
     * defaults does not read it. Before: {@code MultiRegionConfig}'s and {@code HealthConfig}'s defaults were read
     * from it, and a region's priority filled in by its rule (5 classes and about 3 ms at start-up).
     */
    @Test
    void theRoutedClientIsBuiltAndServedWithoutTheSettingsCatalogue() throws Exception {
        try (URLClassLoader isolated = ClassPathWithout.packages("dev.meridian.core.settings.")) {
            @SuppressWarnings("unchecked")
            Supplier<String> probe = (Supplier<String>) ClassPathWithout.newInstance(isolated, Probe.class);
            assertThat(probe.get()).isEqualTo("[PutItem, GetItem] found=true");
        }
    }
}
