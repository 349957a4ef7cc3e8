package dev.meridian.aurora.topology;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * A {@link WriterDiscovery} that always returns the topology it was configured with.
 *
 * <p>Use it when the writer is fixed or moved by redeploying configuration, e.g. the global writer endpoint of an
 * Aurora global database, which follows switchovers by DNS. {@link #refresh()} returns the same topology.
 *
 * <p>Immutable and thread-safe; no network access, no thread, nothing to close. Invalid endpoints are rejected when
 * built (see {@link AuroraTopology.Builder} and {@link RegionEndpoints}), never at first use.
 */
@API(status = STABLE, since = "0.1")
public final class StaticTopology implements WriterDiscovery {
    private final AuroraTopology topology;

    private StaticTopology(AuroraTopology topology) {
        this.topology = SettingRules.required(topology, "topology", "pass an AuroraTopology, or use StaticTopology.builder()");
    }

    /** A discovery that always answers {@code topology}. */
    public static StaticTopology of(AuroraTopology topology) {
        return new StaticTopology(topology);
    }

    /** A builder for the topology; {@code StaticTopology.builder().writerRegion(..).region(..).build()}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public AuroraTopology topology() {
        return topology;
    }

    @Override
    public AuroraTopology refresh() {
        return topology;
    }

    @Override
    public String toString() {
        return "StaticTopology[" + topology + "]";
    }

    /** Builds a {@link StaticTopology}; validation as in {@link AuroraTopology.Builder}. Not thread-safe. */
    public static final class Builder {
        private final AuroraTopology.Builder topology = AuroraTopology.builder();

        private Builder() {
        }

        public Builder writerRegion(Region writerRegion) {
            topology.writerRegion(writerRegion);
            return this;
        }

        public Builder region(RegionEndpoints endpoints) {
            topology.region(endpoints);
            return this;
        }

        /** As {@link AuroraTopology.Builder#region(Region, String, String)}: a missing URL is refused by name. */
        public Builder region(Region region, @Nullable String writerUrl, @Nullable String readerUrl) {
            topology.region(region, writerUrl, readerUrl);
            return this;
        }

        public StaticTopology build() {
            return new StaticTopology(topology.build());
        }
    }
}
