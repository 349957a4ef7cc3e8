package dev.meridian.aurora.topology;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.aurora.internal.JdbcUrls;
import dev.meridian.core.internal.SettingRules;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * The JDBC URLs of one region's cluster in a global database: its cluster (writer) endpoint and its reader endpoint.
 *
 * <p>Immutable and thread-safe. Either URL may be absent: a secondary region's writer endpoint is never used while
 * another region holds the writer, and a region without a reader endpoint is simply never chosen for reads. URLs are
 * checked when the value is created ({@link IllegalArgumentException} naming the region, the setting and the URL with
 * its password hidden) and never appear in {@link #toString()}, since they may carry credentials.
 */
@API(status = STABLE, since = "0.1")
public final class RegionEndpoints {
    private final Region region;
    private final @Nullable String writerUrl;
    private final @Nullable String readerUrl;

    private RegionEndpoints(Region region, @Nullable String writerUrl, @Nullable String readerUrl) {
        this.region = SettingRules.required(region, "region", "pass the AWS region of this cluster, e.g. Region.EU_WEST_1");
        this.writerUrl = writerUrl == null ? null : JdbcUrls.require(writerUrl, "writerUrl of " + region);
        this.readerUrl = readerUrl == null ? null : JdbcUrls.require(readerUrl, "readerUrl of " + region);
        SettingRules.check(writerUrl != null || readerUrl != null, "endpoints of " + region,
                "need a writerUrl or a readerUrl", "both null", "pass the cluster endpoint, the reader endpoint or both");
    }

    /**
     * Endpoints of one region.
     *
     * @param region    the region
     * @param writerUrl JDBC URL of the cluster (writer) endpoint, or {@code null}
     * @param readerUrl JDBC URL of the reader endpoint, or {@code null}
     * @throws IllegalArgumentException if both URLs are null, or one is blank or does not start with {@code jdbc:}
     */
    public static RegionEndpoints of(Region region, @Nullable String writerUrl, @Nullable String readerUrl) {
        return new RegionEndpoints(region, writerUrl, readerUrl);
    }

    /** One node that serves both roles, e.g. a single PostgreSQL server standing in for a region's cluster. */
    public static RegionEndpoints node(Region region, String jdbcUrl) {
        SettingRules.required(jdbcUrl, "jdbcUrl of " + region, "pass the node's JDBC URL");
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
