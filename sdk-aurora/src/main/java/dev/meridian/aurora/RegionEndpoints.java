package dev.meridian.aurora;

import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * The JDBC URLs of one region's cluster in a global database: its cluster (writer) endpoint and its reader endpoint.
 *
 * <p>Immutable and thread-safe. Either URL may be absent: a secondary region's writer endpoint is never used while
 * another region holds the writer, and a region without a reader endpoint is simply never chosen for reads.
 */
public final class RegionEndpoints {
    private final Region region;
    private final String writerUrl;
    private final String readerUrl;

    private RegionEndpoints(Region region, String writerUrl, String readerUrl) {
        this.region = Objects.requireNonNull(region, "region");
        this.writerUrl = blankToNull(writerUrl, "writerUrl");
        this.readerUrl = blankToNull(readerUrl, "readerUrl");
        if (this.writerUrl == null && this.readerUrl == null) {
            throw new IllegalArgumentException("endpoints for " + region + " need a writerUrl or a readerUrl, both are empty");
        }
    }

    /**
     * Endpoints of one region.
     *
     * @param region    the region
     * @param writerUrl JDBC URL of the cluster (writer) endpoint, or {@code null}
     * @param readerUrl JDBC URL of the reader endpoint, or {@code null}
     */
    public static RegionEndpoints of(Region region, String writerUrl, String readerUrl) {
        return new RegionEndpoints(region, writerUrl, readerUrl);
    }

    /** One node that serves both roles, e.g. a single PostgreSQL server standing in for a region's cluster. */
    public static RegionEndpoints node(Region region, String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        return new RegionEndpoints(region, jdbcUrl, jdbcUrl);
    }

    public Region region() {
        return region;
    }

    public Optional<String> writerUrl() {
        return Optional.ofNullable(writerUrl);
    }

    public Optional<String> readerUrl() {
        return Optional.ofNullable(readerUrl);
    }

    private static String blankToNull(String url, String name) {
        if (url == null) {
            return null;
        }
        if (url.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return url;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegionEndpoints other
                && region.equals(other.region)
                && Objects.equals(writerUrl, other.writerUrl)
                && Objects.equals(readerUrl, other.readerUrl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(region, writerUrl, readerUrl);
    }

    @Override
    public String toString() {
        // URLs may carry credentials as parameters, so only say which roles are present.
        return "RegionEndpoints[" + region + (writerUrl != null ? " writer" : "") + (readerUrl != null ? " reader" : "") + "]";
    }
}
