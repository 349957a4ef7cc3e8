package dev.meridian.dynamodb.acceptance.conditions;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.acceptance.conditions.AppClient.Maker;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;

/**
 * The routed clients of one test class: a cold one (a new runtime and new per-region clients, whose first call is
 * the try's call) or a warm one per HTTP client and maker, kept for the class, which has answered a call in every
 * region and whose breakers are reset before it is handed out. A test class keeps its sources in static fields and
 * registers {@link ClientSourcesPerContainer}, which closes them.
 */
final class ClientSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSource.class);
    private final LocalRegions regions;
    private final MultiRegionConfig config;
    private final Duration attemptTimeout;
    private final Duration connectTimeout;
    private final List<TableConfig> tables;
    private final Shape warmUp;
    private final Map<HttpClientKind, Map<Maker, AppClient>> warm = new EnumMap<>(HttpClientKind.class);
    private final List<AppClient> cold = new ArrayList<>();
    /** Clients handed out per HTTP client: how a property's tries sampled that dimension, logged at close. */
    private final Map<HttpClientKind, Integer> handedOut = new EnumMap<>(HttpClientKind.class);

    /** {@code warmUp}: a read every region answers, made once per region of a warm client. */
    ClientSource(LocalRegions regions, MultiRegionConfig config, Duration attemptTimeout, List<TableConfig> tables,
            Shape warmUp) {
        this(regions, config, attemptTimeout, HttpClientKind.SDK_CONNECT_TIMEOUT, tables, warmUp);
    }

    /** {@code connectTimeout}: the synchronous HTTP clients' connect timeout. */
    ClientSource(LocalRegions regions, MultiRegionConfig config, Duration attemptTimeout, Duration connectTimeout,
            List<TableConfig> tables, Shape warmUp) {
        this.regions = regions;
        this.config = config;
        this.attemptTimeout = attemptTimeout;
        this.connectTimeout = connectTimeout;
        this.tables = tables;
        this.warmUp = warmUp;
    }

    /**
     * Clients whose tries wait an ambiguous fault out in less than a lost answer takes ({@link Fault.Lost#AFTER}):
     * 800 ms attempts, a cold client's first one 1 s.
     */
    static ClientSource shortAttempts(LocalRegions regions, MultiRegionConfig.Builder config,
            List<TableConfig> tables, Shape warmUp) {
        return new ClientSource(regions, config.firstAttemptTimeout(Duration.ofSeconds(1)).build(),
                Duration.ofMillis(800), tables, warmUp);
    }

    /** {@link #shortAttempts} on one table keyed by {@code pk}, a warm client warmed up by its first read shape. */
    static ClientSource shortAttempts(LocalRegions regions, MultiRegionConfig.Builder config, String table) {
        return shortAttempts(regions, config, AppClient.pkTable(table), Shape.reads(table).get(0));
    }

    AppClient client(HttpClientKind kind, Maker maker, boolean coldClient) {
        handedOut.merge(kind, 1, Integer::sum);
        if (coldClient) {
            AppClient c = AppClient.make(regions, config, kind, maker, attemptTimeout, connectTimeout, tables);
            cold.add(c);
            return c;
        }
        AppClient c = warm.computeIfAbsent(kind, k -> new EnumMap<>(Maker.class)).computeIfAbsent(maker, m -> {
            AppClient made = AppClient.make(regions, config, kind, m, attemptTimeout, connectTimeout, tables);
            for (String id : Regions3.ALL) {
                try (var s = RoutingContext.builder().preferredRegion(Region.of(id)).open()) {
                    made.run(warmUp, "warm-up");
                }
            }
            return made;
        });
        c.runtime().resetHealth();
        return c;
    }

    /** Closes the cold clients of the try (after it). */
    void closeCold() {
        cold.forEach(AppClient::close);
        cold.clear();
    }

    @Override
    public void close() {
        LOG.info("clients handed out per HTTP client: {}", handedOut);
        closeCold();
        warm.values().forEach(m -> m.values().forEach(AppClient::close));
    }
}
