package dev.meridian.aurora.topology;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.aurora.internal.JdbcUrls;
import dev.meridian.core.internal.SettingRules;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.DBCluster;
import software.amazon.awssdk.services.rds.model.GlobalCluster;
import software.amazon.awssdk.services.rds.model.GlobalClusterMember;

/**
 * A {@link WriterDiscovery} that reads an Aurora global database's topology from the RDS API.
 *
 * <p>{@code DescribeGlobalClusters} (in {@code apiRegion}) names the member clusters and which one
 * {@code isWriter()}; {@code DescribeDBClusters} in each member's own region gives its cluster endpoint, reader
 * endpoint and port, which {@code urlTemplate} turns into JDBC URLs ({@code {host}} and {@code {port}} are replaced).
 * Results are cached (see {@link CachedDiscovery}); a promoted secondary is found on the next refresh, which Meridian
 * triggers when a write is refused as read-only, or on the optional schedule.
 *
 * <p>Thread-safe. One {@link RdsClient} per region is created lazily from the client factory and closed by
 * {@link #close()}. The RDS API needs {@code rds:DescribeGlobalClusters} and {@code rds:DescribeDBClusters}. A first
 * look-up that fails (API error, unknown cluster, no writer member) throws {@link TopologyDiscoveryException} with the
 * cause attached; a failed refresh keeps the last known topology. This is the only class of the module that needs the
 * optional {@code software.amazon.awssdk:rds} dependency.
 */
@API(status = STABLE, since = "0.1")
public final class RdsGlobalClusterDiscovery extends CachedDiscovery {
    private static final Logger log = LoggerFactory.getLogger(RdsGlobalClusterDiscovery.class);

    private final String globalClusterIdentifier;
    private final Region apiRegion;
    private final Function<Region, RdsClient> clientFactory;
    private final String urlTemplate;
    private final Map<Region, RdsClient> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RdsGlobalClusterDiscovery(Builder b) {
        super(b.refreshInterval, "meridian-rds-discovery");
        this.globalClusterIdentifier = SettingRules.required(b.globalClusterIdentifier, "globalClusterIdentifier",
                Builder.SET_GLOBAL_CLUSTER);
        this.apiRegion = SettingRules.required(b.apiRegion, "apiRegion", Builder.SET_API_REGION);
        this.clientFactory = SettingRules.required(b.clientFactory, "clientFactory", Builder.SET_CLIENT_FACTORY);
        this.urlTemplate = SettingRules.required(b.urlTemplate, "urlTemplate", Builder.SET_URL_TEMPLATE);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    AuroraTopology load() {
        GlobalCluster global = client(apiRegion)
                .describeGlobalClusters(r -> r.globalClusterIdentifier(globalClusterIdentifier))
                .globalClusters().stream().findFirst()
                .orElseThrow(() -> new TopologyDiscoveryException("global cluster " + globalClusterIdentifier + " not found"));
        AuroraTopology.Builder topology = AuroraTopology.builder();
        Region writer = null;
        for (GlobalClusterMember member : global.globalClusterMembers()) {
            Region region = regionOf(member.dbClusterArn());
            DBCluster cluster = client(region).describeDBClusters(r -> r.dbClusterIdentifier(member.dbClusterArn()))
                    .dbClusters().stream().findFirst()
                    .orElseThrow(() -> new TopologyDiscoveryException("member cluster " + member.dbClusterArn() + " not found"));
            topology.region(region, url(cluster.endpoint(), cluster.port()), url(cluster.readerEndpoint(), cluster.port()));
            if (Boolean.TRUE.equals(member.isWriter())) {
                writer = region;
            }
        }
        if (writer == null) {
            throw new TopologyDiscoveryException("global cluster " + globalClusterIdentifier + " has no writer member");
        }
        AuroraTopology result = topology.writerRegion(writer).build();
        log.debug("Discovered {} for global cluster {}", result, globalClusterIdentifier);
        return result;
    }

    private RdsClient client(Region region) {
        checkOpen();
        RdsClient client = clients.computeIfAbsent(region,
                r -> Objects.requireNonNull(clientFactory.apply(r), "clientFactory returned null for " + r));
        if (closed) {
            // close() ran while this client was being built and may not have seen it.
            clients.remove(region, client);
            client.close();
            checkOpen();
        }
        return client;
    }

    private void checkOpen() {
        if (closed) {
            throw new TopologyDiscoveryException("RdsGlobalClusterDiscovery " + globalClusterIdentifier + " is closed");
        }
    }

    static Region regionOf(String clusterArn) {
        // arn:partition:rds:region:account:cluster:name
        String[] parts = clusterArn == null ? new String[0] : clusterArn.split(":", 6);
        if (parts.length < 6 || !"arn".equals(parts[0]) || parts[3].isEmpty()) {
            throw new TopologyDiscoveryException("not a regional cluster ARN: " + clusterArn);
        }
        return Region.of(parts[3]);
    }

    private @Nullable String url(@Nullable String host, @Nullable Integer port) {
        if (host == null || host.isBlank()) {
            return null;
        }
        return urlTemplate.replace("{host}", host).replace("{port}", port == null ? "" : port.toString());
    }

    /** Closes every RDS client built so far (their pooled connections); the next look-up builds them again. */
    @Override
    public void releaseConnections() {
        for (Region region : clients.keySet()) {
            RdsClient client = clients.remove(region);
            if (client != null) {
                client.close();
            }
        }
    }

    /** Stops the background refresh and closes every RDS client; idempotent. */
    @Override
    public void close() {
        closed = true;
        super.close();
        releaseConnections();
    }

    @Override
    public String toString() {
        return "RdsGlobalClusterDiscovery[" + globalClusterIdentifier + "]";
    }

    /**
     * Builder; {@code globalClusterIdentifier}, {@code apiRegion}, {@code clientFactory} and {@code urlTemplate} are
     * required. Not thread-safe; setters and {@link #build()} validate eagerly.
     */
    public static final class Builder {
        private static final String SET_GLOBAL_CLUSTER = "pass the global database's identifier to"
                + " globalClusterIdentifier(..)";
        private static final String SET_API_REGION = "pass a member region of the global database to apiRegion(..)";
        private static final String SET_CLIENT_FACTORY = "pass r -> RdsClient.builder().region(r).build() to"
                + " clientFactory(..)";
        private static final String SET_URL_TEMPLATE = "pass a JDBC URL with {host} and {port}, e.g."
                + " jdbc:postgresql://{host}:{port}/app, to urlTemplate(..)";

        private @Nullable String globalClusterIdentifier;
        private @Nullable Region apiRegion;
        private @Nullable Function<Region, RdsClient> clientFactory;
        private @Nullable String urlTemplate;
        private @Nullable Duration refreshInterval;

        private Builder() {
        }

        public Builder globalClusterIdentifier(String globalClusterIdentifier) {
            this.globalClusterIdentifier = SettingRules.notBlank(globalClusterIdentifier, "globalClusterIdentifier",
                    SET_GLOBAL_CLUSTER);
            return this;
        }

        /** Region whose RDS endpoint answers {@code DescribeGlobalClusters}; any member region works. */
        public Builder apiRegion(Region apiRegion) {
            this.apiRegion = SettingRules.required(apiRegion, "apiRegion", SET_API_REGION);
            return this;
        }

        /** Builds the RDS client for a region, e.g. {@code r -> RdsClient.builder().region(r).build()}. */
        public Builder clientFactory(Function<Region, RdsClient> clientFactory) {
            this.clientFactory = SettingRules.required(clientFactory, "clientFactory", SET_CLIENT_FACTORY);
            return this;
        }

        /** JDBC URL with {@code {host}} and {@code {port}} placeholders, e.g. {@code jdbc:postgresql://{host}:{port}/app}. */
        public Builder urlTemplate(String urlTemplate) {
            SettingRules.required(urlTemplate, "urlTemplate", SET_URL_TEMPLATE);
            JdbcUrls.require(urlTemplate, "urlTemplate");
            SettingRules.check(urlTemplate.contains("{host}"), "urlTemplate", "must contain {host}",
                    JdbcUrls.redact(urlTemplate), SET_URL_TEMPLATE);
            this.urlTemplate = urlTemplate;
            return this;
        }

        /** Refresh in the background at this interval; unset (default) means only on first use and on demand. */
        public Builder refreshInterval(Duration refreshInterval) {
            this.refreshInterval = validateInterval(refreshInterval, "refreshInterval");
            return this;
        }

        public RdsGlobalClusterDiscovery build() {
            // The constructor checks the required settings, in this order, as it copies them.
            return new RdsGlobalClusterDiscovery(this);
        }
    }
}
