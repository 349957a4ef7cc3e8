package dev.meridian.dynamodb.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.control.RegionControlSource;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.internal.SettingRules;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Mirror mode: ARC answers a fleet's polls only so fast, DynamoDB scales with it. Every instance reads through this
 * source; at each read it tries to take or renew its region's mirror lease ({@code lease#mirror#<region>} in the
 * control table, held for {@code leaseDuration}). The one instance per region holding it reads the upstream source
 * (ARC), writes each region item whose state or weight differs into the control table (under the item's version),
 * and answers the upstream state; every other instance answers the table. When upstream fails, the holder answers
 * the table too, so the instance fails static like the rest. Used from {@code RegionControl}'s one poller thread.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class MirroringControlSource implements RegionControlSource {
    private static final Logger LOG = LoggerFactory.getLogger(MirroringControlSource.class);

    private final RegionControlSource upstream;
    private final ControlTableSource table;
    private final Region leaseRegion;
    private final String owner;
    private final Duration leaseDuration;
    private final Clock clock;
    private volatile boolean holding;

    /**
     * @param upstream the source mirrored (ARC)
     * @param table the control table, read by everyone and written by the lease holder
     * @param leaseRegion this instance's region: one mirror per region
     * @param leaseDuration how long a holder that stops renewing keeps the lease (e.g. 10 poll intervals)
     */
    public MirroringControlSource(RegionControlSource upstream, ControlTableSource table, Region leaseRegion,
            Duration leaseDuration, Clock clock) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.table = Objects.requireNonNull(table, "table");
        this.leaseRegion = Objects.requireNonNull(leaseRegion, "leaseRegion");
        this.leaseDuration = SettingRules.positive(leaseDuration, "meridian.control.mirror-lease", "use e.g. 10s");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.owner = leaseRegion.id() + "/" + UUID.randomUUID();
    }

    @Override
    public String name() {
        return "mirror";
    }

    /** Whether this instance held its region's mirror lease at its last read. */
    public boolean holdsLease() {
        return holding;
    }

    @Override
    public RegionControlState read() {
        Instant now = clock.instant();
        DynamoDbClient local = table.client(table.readOrder().get(0));
        boolean held;
        try {
            held = table.table().acquireLease(local, leaseRegion, owner, now, now.plus(leaseDuration));
        } catch (SdkException e) {
            held = false;
        }
        if (held != holding) {
            LOG.info("Control mirror lease of {} {} by {}", leaseRegion.id(), held ? "taken" : "lost", owner);
            holding = held;
        }
        if (!held) {
            return table.read();
        }
        RegionControlState wanted;
        try {
            wanted = upstream.read();
        } catch (RuntimeException e) {
            LOG.debug("Mirror upstream {} failed; answering the control table ({})", upstream.name(), e.toString());
            return table.read();
        }
        copy(local, wanted, now);
        return wanted;
    }

    private void copy(DynamoDbClient local, RegionControlState wanted, Instant now) {
        RegionControlState current = table.read();
        for (Map.Entry<Region, RegionControlEntry> e : wanted.entries().entrySet()) {
            RegionControlEntry have = current.entry(e.getKey()).orElse(null);
            RegionControlEntry want = e.getValue();
            if (have != null && have.sameEffect(want)) {
                continue;
            }
            try {
                table.table().write(local, e.getKey(), want.state(), want.weight().isPresent()
                        ? want.weight().getAsInt() : null, "mirror:" + upstream.name() + ":" + owner,
                        have == null ? 0 : have.version(), now);
            } catch (ConditionalCheckFailedException raced) {
                LOG.debug("Control item of {} changed while mirroring; the next read copies again", e.getKey().id());
            }
        }
    }

    @Override
    public void close() {
        try {
            upstream.close();
        } finally {
            table.close();
        }
    }
}
