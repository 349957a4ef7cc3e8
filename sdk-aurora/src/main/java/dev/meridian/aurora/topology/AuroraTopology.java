package dev.meridian.aurora.topology;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * A snapshot of a global database: which region holds the writer and the endpoints of every member region.
 *
 * <p>Immutable and thread-safe. The member regions are also the data's replica footprint, which residency checks
 * use for RESTRICTED writes.
 */
@API(status = STABLE, since = "0.1")
public final class AuroraTopology {
    private static final String SET_WRITER_REGION = "set the region that holds the writer with writerRegion(..)";
    private final Region writerRegion;
    private final Map<Region, RegionEndpoints> endpoints;
    private final String writerUrl;

    private AuroraTopology(Builder builder) {
        this.writerRegion = SettingRules.required(builder.writerRegion, "writerRegion", SET_WRITER_REGION);
        this.endpoints = Collections.unmodifiableMap(new LinkedHashMap<>(builder.endpoints));
        RegionEndpoints writer = endpoints.get(writerRegion);
        if (writer == null) {
            throw SettingRules.invalid("writerRegion", "must be one of the configured regions " + endpoints.keySet(),
                    writerRegion, "add region(" + writerRegion + ", writerUrl, readerUrl) or name a configured region");
        }
        SettingRules.check(writer.writerUrl().isPresent(), "writerRegion", "must have a writerUrl", writerRegion
                + " with only a readerUrl", "give region " + writerRegion + " its cluster (writer) endpoint URL");
        this.writerUrl = writer.writerUrl().orElseThrow();
    }

    /** A builder; {@code writerRegion} and at least the writer region's endpoints are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The region whose cluster currently accepts writes. */
    public Region writerRegion() {
        return writerRegion;
    }

    /** JDBC URL of the current writer endpoint. */
    public String writerUrl() {
        return writerUrl;
    }

    /** JDBC URL of a region's reader endpoint, empty when the region is not a member or has none. */
    public Optional<String> readerUrl(Region region) {
        RegionEndpoints e = endpoints.get(region);
        return e == null ? Optional.empty() : e.readerUrl();
    }

    /** Every member region, in configuration order: where the data is replicated. */
    public Set<Region> regions() {
        return endpoints.keySet();
    }

    public Map<Region, RegionEndpoints> endpoints() {
        return endpoints;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuroraTopology other && writerRegion.equals(other.writerRegion) && endpoints.equals(other.endpoints);
    }

    @Override
    public int hashCode() {
        return Objects.hash(writerRegion, endpoints);
    }

    @Override
    public String toString() {
        return "AuroraTopology[writer=" + writerRegion + ", regions=" + endpoints.keySet() + "]";
    }

    /**
     * Builder. {@code region(..)} rejects a region configured twice and invalid URLs at once; {@link #build()} needs
     * a {@code writerRegion} (NullPointerException naming it) that has a writer endpoint (IllegalArgumentException
     * naming the region and the configured ones). Not thread-safe.
     */
    public static final class Builder {
        private @Nullable Region writerRegion;
        private final Map<Region, RegionEndpoints> endpoints = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder writerRegion(Region writerRegion) {
            this.writerRegion = SettingRules.required(writerRegion, "writerRegion", SET_WRITER_REGION);
            return this;
        }

        public Builder region(RegionEndpoints regionEndpoints) {
            SettingRules.required(regionEndpoints, "regionEndpoints", "pass RegionEndpoints.of(region, writerUrl, readerUrl)");
            Region region = regionEndpoints.region();
            SettingRules.check(!endpoints.containsKey(region), "region " + region, "must be configured once",
                    "configured twice", "give each region's endpoints in one region(..) call");
            endpoints.put(region, regionEndpoints);
            return this;
        }

        public Builder region(Region region, @Nullable String writerUrl, @Nullable String readerUrl) {
            return region(RegionEndpoints.of(region, writerUrl, readerUrl));
        }

        public AuroraTopology build() {
            return new AuroraTopology(this);
        }
    }
}
