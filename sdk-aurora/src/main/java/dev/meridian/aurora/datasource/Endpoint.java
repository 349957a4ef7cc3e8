package dev.meridian.aurora.datasource;

import dev.meridian.aurora.topology.AuroraTopology;
import java.util.Objects;
import software.amazon.awssdk.regions.Region;

/** One pool's identity: a role of a region at a JDBC URL. */
record Endpoint(Role role, Region region, String url) {
    Endpoint {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(url, "url");
    }

    static Endpoint writer(AuroraTopology topology) {
        return new Endpoint(Role.WRITER, topology.writerRegion(), topology.writerUrl());
    }

    @Override
    public String toString() {
        return role.tag() + "@" + region.id();
    }
}
