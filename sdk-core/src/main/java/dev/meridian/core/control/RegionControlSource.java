package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * Where the fleet's region controls are read from: ARC routing controls, a DynamoDB control table, a static map.
 * {@link RegionControl} calls {@link #read()} from its one poller thread (never concurrently) and keeps the last
 * good snapshot when it fails, so a source only has to bound its own time (a short timeout per endpoint) and throw
 * when it cannot answer. Implementations must not block indefinitely.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface RegionControlSource extends AutoCloseable {

    /** The source's kind for meters, logs and health: {@code static}, {@code arc}, {@code table}. */
    String name();

    /**
     * Reads the current controls.
     *
     * @throws RuntimeException when the source cannot be reached or answers nonsense; the caller fails static
     */
    RegionControlState read();

    /** Releases the source's clients; the default holds none. */
    @Override
    default void close() {
    }
}
