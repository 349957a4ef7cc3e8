package dev.meridian.dynamodb.flags;

import software.amazon.awssdk.regions.Region;

/** What {@link Flags} meters; without a registry nothing (Micrometer is optional, see {@link MicrometerFlagsMeters}). */
interface FlagsMeters extends AutoCloseable {
    /** Meters nothing. */
    FlagsMeters NONE = new FlagsMeters() {
    };

    /** A flag was evaluated to {@code enabled} ({@code known}: the control table holds it). */
    default void evaluated(String flag, boolean known, boolean enabled) {
    }

    /** A read of the control table in {@code region} succeeded or failed. */
    default void read(Region region, boolean succeeded) {
    }

    /** Removes the meters from the registry. */
    @Override
    default void close() {
    }
}
