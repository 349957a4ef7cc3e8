package dev.meridian.core;

import dev.meridian.testkit.LocalRegions;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * The hedging and ejection tests' runtime over the two regions of {@link ServedByTable}: a {@link MultiRegion} over
 * warmed-up per-region clients, so that no read pays for building an SDK client or a connection, nor counts as a
 * cold client's first attempt. Each test makes
 * one per test method; {@link #close()} heals the regions and closes the runtime and the clients.
 */
final class WarmedRuntime implements AutoCloseable {
    static final String WEST = "eu-west-1";
    static final String CENTRAL = "eu-central-1";

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LocalRegions regions;
    private final List<DynamoDbClient> clients = new ArrayList<>();
    private @Nullable MultiRegion runtime;

    WarmedRuntime(LocalRegions regions) {
        this.regions = regions;
    }

    /** eu-west-1 (local) and eu-central-1 at their local endpoints, no environment overrides. */
    MultiRegionConfig.Builder config() {
        return MultiRegionConfig.builder()
                .region(RegionSpec.of(WEST).endpoint(regions.endpoint(WEST)))
                .region(RegionSpec.of(CENTRAL).endpoint(regions.endpoint(CENTRAL)))
                .localRegion(WEST)
                .environment(name -> null);
    }

    /**
     * The multi-region client of {@code config} over per-region clients that {@code builder} makes from a region's id
     * and the testkit's builder for it, each warmed up by {@code warmUp}; the journals are cleared of the warm-up.
     */
    DynamoDbClient wrap(MultiRegionConfig config,
            BiFunction<String, DynamoDbClientBuilder, DynamoDbClientBuilder> builder,
            Consumer<DynamoDbClient> warmUp) {
        return wrap(config, builder, warmUp, MultiRegionDynamoDbIT.CLASSIFIER);
    }

    /** As {@link #wrap(MultiRegionConfig, BiFunction, Consumer)}, its operations classified by {@code classifier}. */
    DynamoDbClient wrap(MultiRegionConfig config,
            BiFunction<String, DynamoDbClientBuilder, DynamoDbClientBuilder> builder,
            Consumer<DynamoDbClient> warmUp, OperationClassifier classifier) {
        Map<Region, DynamoDbClient> warmed = new LinkedHashMap<>();
        for (RegionSpec spec : config.regions()) {
            DynamoDbClient c = builder.apply(spec.region().id(), regions.clientBuilder(spec.region().id())).build();
            clients.add(c);
            warm(c, warmUp);
            warmed.put(spec.region(), c);
        }
        // Meters reach the test's registry only after the warm-up through the runtime below.
        CompositeMeterRegistry registry = new CompositeMeterRegistry();
        MultiRegion built = MultiRegion.builder(config).meterRegistry(registry).build();
        runtime = built;
        DynamoDbClient client = built.wrapClient(DynamoDbClient.class, warmed::get, classifier);
        warmThrough(built, client, config, warmUp);
        registry.add(meters);
        regions.journalsClear();
        return client;
    }

    /**
     * One answered call per region through the runtime (the others drained), so that the runtime too knows every
     * region's client as warm: a client it has not seen answer is cold, its first attempt given the first-attempt
     * budget and a later hedge (sdk-core/README.md, "Cold is not sick"). What the runtime learned from the warm-up
     * (breakers, latency) is then forgotten.
     */
    private static void warmThrough(MultiRegion runtime, DynamoDbClient client, MultiRegionConfig config,
            Consumer<DynamoDbClient> warmUp) {
        for (RegionSpec warming : config.regions()) {
            for (RegionSpec other : config.regions()) {
                if (other != warming) {
                    runtime.drain(other.region());
                }
            }
            warm(client, warmUp);
            for (RegionSpec other : config.regions()) {
                runtime.undrain(other.region());
            }
        }
        runtime.resetHealth();
    }

    /** The runtime {@link #wrap} built. */
    MultiRegion runtime() {
        MultiRegion r = runtime;
        if (r == null) {
            throw new IllegalStateException("wrap(...) builds the runtime first");
        }
        return r;
    }

    /** A first call builds the SDK's machinery and a connection; on a busy machine it can outlast a 2 s timeout. */
    private static void warm(DynamoDbClient c, Consumer<DynamoDbClient> warmUp) {
        for (int i = 0; ; i++) {
            try {
                warmUp.accept(c);
                return;
            } catch (RuntimeException e) {
                if (i == 5) {
                    throw e;
                }
            }
        }
    }

    /** Heals the regions and closes the runtime and the clients; the next {@link #wrap} starts afresh. */
    @Override
    public void close() {
        regions.healAll();
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
        clients.forEach(DynamoDbClient::close);
        clients.clear();
    }
}
