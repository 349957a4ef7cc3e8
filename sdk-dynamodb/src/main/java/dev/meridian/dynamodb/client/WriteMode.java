package dev.meridian.dynamodb.client;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.dynamodb.lww.LwwWrites;
import org.apiguardian.api.API;

/**
 * How writes to one table are spread over its replicas; set per table with {@link TableConfig.Builder#writeMode}.
 * The routing itself is sdk-core's: this only selects the strategy the table's operations carry.
 */
@API(status = STABLE, since = "0.1")
public enum WriteMode {
    /**
     * Multi-active: every region reads and writes locally (the configuration's routing strategy decides).
     * Concurrent writes of one item in two regions are resolved by the global table's last-writer-wins, so use
     * {@link LwwWrites} or conditions when that matters.
     */
    READ_LOCAL_WRITE_LOCAL,
    /**
     * Single writer per item (recommended): every write of one partition key goes to that key's home region,
     * chosen by sdk-core's {@code RoutingStrategy.homeByKey()}; different keys spread over the regions. Reads stay
     * local unless they are strongly consistent (see {@link TableConfig#consistentReadsAtHome()}).
     */
    WRITE_HOME_BY_KEY
}
