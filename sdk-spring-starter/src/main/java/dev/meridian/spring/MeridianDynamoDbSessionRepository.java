package dev.meridian.spring;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.session.MapSession;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * A Spring Session {@link SessionRepository} on a DynamoDB global table, through the routed multi-region client.
 *
 * <p>Each session has a region (sticky): where it was created, recorded in the session item ({@code region}) and in
 * its id ({@code <region>~<random>}); its reads and writes are pinned there through the {@link RoutingContext} while
 * it answers. When it does not, a read goes to another region the session's data class allows and returns the item
 * only when it is at least the session's last acknowledged version (this instance's record of its last save or read);
 * else it waits up to the read wait for replication and then refuses with {@link SessionNotReadableException}: never a
 * stale session. An instance that has no record of the session refuses during the outage (it cannot tell). A save in another region is conditional on the
 * version it read, so it never overwrites a newer one; the session's region then moves there. Expiry: the
 * {@code expiresAt} attribute (epoch seconds; enable DynamoDB TTL on it) and a check on every read. Residency: every
 * call carries the data class (and subject country), enforced by the routed client.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class MeridianDynamoDbSessionRepository
        implements SessionRepository<MeridianDynamoDbSessionRepository.RegionalSession> {
    static final String ID = "id";
    static final String REGION = "region";
    static final String VERSION = "version";
    static final String STAMP = "stamp";
    static final String CREATED = "created";
    static final String LAST_ACCESSED = "lastAccessed";
    static final String MAX_INACTIVE = "maxInactive";
    static final String EXPIRES_AT = "expiresAt";
    static final String ATTRIBUTES = "attributes";
    static final String COUNTRY = "country";
    private static final char ID_SEPARATOR = '~';
    private static final long DELETED = Long.MAX_VALUE;
    private static final Duration POLL = Duration.ofMillis(50);

    private final DynamoDbClient dynamo;
    private final MultiRegion runtime;
    private final String table;
    private final DataClass dataClass;
    private final @Nullable String subjectCountry;
    private final Duration readWait;
    private final Duration maxInactive;
    /** The last version this instance acknowledged per session id ({@link #DELETED} after a delete). */
    private final Cache<String, Long> acknowledged;
    private final SerializingConverter serializer = new SerializingConverter();
    private final DeserializingConverter deserializer = new DeserializingConverter();

    private MeridianDynamoDbSessionRepository(Builder b) {
        this.dynamo = Objects.requireNonNull(b.client, "client");
        this.runtime = MultiRegionDynamoDb.shared(dynamo).orElseThrow(() -> new IllegalArgumentException(
                "meridian.session needs the routed client built by MultiRegionDynamoDb, was " + dynamo.getClass()
                        .getName() + "; give it the multi-region DynamoDbClient")).runtime();
        this.table = b.table;
        this.dataClass = b.dataClass;
        this.subjectCountry = b.subjectCountry;
        this.readWait = b.readWait;
        this.maxInactive = b.maxInactive;
        this.acknowledged = Caffeine.newBuilder().maximumSize(b.remembered)
                .expireAfterAccess(Math.max(1, b.maxInactive.toSeconds()), TimeUnit.SECONDS).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public RegionalSession createSession() {
        Region home = allowedRegions(homeContext()).stream().findFirst().orElseThrow(() ->
                new NoRegionAvailableException("No region may store sessions of data class " + dataClass));
        String country = defaultCountry();
        MapSession map = new MapSession(home.id() + ID_SEPARATOR + UUID.randomUUID());
        map.setMaxInactiveInterval(maxInactive);
        return new RegionalSession(map, home, 0, country);
    }

    @Override
    public void save(RegionalSession session) {
        String original = session.originalId;
        boolean moved = !original.equals(session.getId());
        List<Region> order = regionsFrom(session.region, session.country);
        for (Region region : order) {
            long next = session.version + 1;
            long stamp = runtime.clock().now();
            Map<String, AttributeValue> item = item(session, region, next, stamp);
            try {
                pinned(region, session.country, () -> dynamo.putItem(p -> {
                    p.tableName(table).item(item);
                    if (session.version == 0 || moved) {
                        p.conditionExpression("attribute_not_exists(#id)").expressionAttributeNames(Map.of("#id", ID));
                    } else {
                        p.conditionExpression("#v = :prev").expressionAttributeNames(Map.of("#v", VERSION))
                                .expressionAttributeValues(Map.of(":prev", number(session.version)));
                    }
                }));
            } catch (RegionUnavailable e) {
                continue;
            } catch (ConditionalCheckFailedException e) {
                throw new SessionNotReadableException("Session " + session.getId() + " was not saved in region "
                        + region.id() + ": its stored version is not " + session.version + " (a concurrent save, or"
                        + " replication behind the session's last write); read it again and retry");
            }
            session.version = next;
            session.region = region;
            session.originalId = session.getId();
            acknowledged.put(session.getId(), next);
            if (moved) {
                deleteById(original);
            }
            return;
        }
        throw new SessionNotReadableException("Session " + session.getId() + " was not saved: none of its allowed"
                + " regions " + order + " answered");
    }

    @Override
    public @Nullable RegionalSession findById(String id) {
        Long floor = acknowledged.getIfPresent(id);
        if (floor != null && floor == DELETED) {
            return null;
        }
        Region home = homeHint(id);
        List<Region> order = regionsFrom(home, defaultCountry());
        for (Region region : order) {
            Map<String, AttributeValue> item;
            try {
                item = read(region, id);
            } catch (RegionUnavailable e) {
                continue;
            }
            if (region.equals(home)) {
                return fresh(id, item);
            }
            return awaitVersion(id, region, item, floor);
        }
        throw new SessionNotReadableException("Session " + id + " was not read: none of its allowed regions " + order
                + " answered");
    }

    @Override
    public void deleteById(String id) {
        Region home = homeHint(id);
        List<Region> order = regionsFrom(home, defaultCountry());
        for (Region region : order) {
            try {
                pinned(region, defaultCountry(), () -> dynamo.deleteItem(d -> d.tableName(table).key(key(id))));
                acknowledged.put(id, DELETED);
                return;
            } catch (RegionUnavailable e) {
                // the next allowed region takes the delete; replication carries it to the rest
            }
        }
        throw new SessionNotReadableException("Session " + id + " was not deleted: none of its allowed regions "
                + order + " answered");
    }

    /** A consistent read in the session's own region: the latest acknowledged version, or none. */
    private @Nullable RegionalSession fresh(String id, @Nullable Map<String, AttributeValue> item) {
        if (item == null) {
            return null;
        }
        RegionalSession session = session(item);
        if (session.region.equals(homeHint(id))) {
            acknowledged.put(id, session.version);
            return live(session);
        }
        // the session moved (a save during an outage of its first region): read where it lives now
        Map<String, AttributeValue> there = read(session.region, id);
        return there == null ? null : live(remember(session(there)));
    }

    /**
     * Outside the session's region: the item is returned only when it is at least the last version this instance
     * acknowledged; replication gets up to the read wait. An instance that never saw the session cannot tell a stale
     * replica from a current one, so it refuses (fail closed) until the session's region answers again.
     */
    private @Nullable RegionalSession awaitVersion(String id, Region region, @Nullable Map<String, AttributeValue> item,
            @Nullable Long floor) {
        long deadline = System.nanoTime() + readWait.toNanos();
        Map<String, AttributeValue> current = item;
        while (true) {
            if (floor != null && current != null) {
                RegionalSession s = session(current);
                if (s.version >= floor) {
                    return live(remember(s));
                }
            }
            if (floor == null || System.nanoTime() - deadline >= 0) {
                throw new SessionNotReadableException("Session " + id + " was not read: its region " + homeHint(id)
                        + " is unavailable and region " + region.id() + (floor == null
                        ? " may hold an older version (this instance has not seen the session's last version)"
                        : " did not show its last acknowledged version " + floor + " within"
                                + " meridian.session.read-wait " + readWait) + "; retry once the region is back"
                        + (floor == null ? "" : ", or raise the read wait"));
            }
            sleep();
            try {
                current = read(region, id);
            } catch (RegionUnavailable e) {
                current = null;
            }
        }
    }

    private RegionalSession remember(RegionalSession s) {
        acknowledged.asMap().merge(s.getId(), s.version, Math::max);
        return s;
    }

    private @Nullable RegionalSession live(RegionalSession s) {
        if (s.isExpired()) {
            return null;
        }
        return s;
    }

    private @Nullable Map<String, AttributeValue> read(Region region, String id) {
        // the session's own version check replaces the caller's session-token bound (which would override the pin)
        GetItemResponse r = pinned(region, defaultCountry(), true, () -> dynamo.getItem(g -> g.tableName(table).key(key(id))
                .consistentRead(true)));
        return r.hasItem() ? r.item() : null;
    }

    /** Runs {@code call} in {@code region} only (under the session's data class); unavailability is signalled. */
    private <T> T pinned(Region region, @Nullable String country, Supplier<T> call) {
        return pinned(region, country, false, call);
    }

    private <T> T pinned(Region region, @Nullable String country, boolean withoutToken, Supplier<T> call) {
        RoutingContext.Builder ctx = context(country).toBuilder().preferredRegion(region);
        if (withoutToken) {
            ctx.session(null);
        }
        for (Region other : runtime.config().regionsByPriority()) {
            if (!other.equals(region)) {
                ctx.excludeRegion(other);
            }
        }
        try (RoutingContext.Scope s = ctx.open()) {
            return call.get();
        } catch (NoRegionAvailableException | SdkClientException e) {
            throw new RegionUnavailable();
        } catch (DynamoDbException e) {
            if (e instanceof ConditionalCheckFailedException || e.statusCode() < 500) {
                throw e;
            }
            throw new RegionUnavailable();
        }
    }

    private RoutingContext homeContext() {
        return context(defaultCountry());
    }

    /** The configured subject country, else the caller's: reads know no session's country before reading it. */
    private @Nullable String defaultCountry() {
        return subjectCountry != null ? subjectCountry : RoutingContext.current().subjectCountry().orElse(null);
    }

    private RoutingContext context(@Nullable String country) {
        RoutingContext.Builder b = RoutingContext.current().toBuilder().dataClass(dataClass);
        if (country != null) {
            b.subjectCountry(country);
        }
        return b.build();
    }

    /** The session's data class's regions that hold the table, {@code first} first, then by priority. */
    private List<Region> regionsFrom(Region first, @Nullable String country) {
        List<Region> allowed = allowedRegions(context(country));
        List<Region> order = new ArrayList<>();
        if (allowed.contains(first)) {
            order.add(first);
        }
        allowed.stream().filter(r -> !r.equals(first)).forEach(order::add);
        return order;
    }

    private List<Region> allowedRegions(RoutingContext ctx) {
        MultiRegionDynamoDb.Shared shared = MultiRegionDynamoDb.shared(dynamo).orElseThrow();
        Set<Region> footprint = shared.replicaRegions(table);
        Set<Region> allowed = MultiRegionSpi.of(runtime)
                .allowedRegions(shared.context(table, ctx));
        List<Region> order = new ArrayList<>();
        for (Region r : runtime.config().regionsByPriority()) {
            if (footprint.contains(r) && allowed.contains(r)) {
                order.add(r);
            }
        }
        return order;
    }

    private Region homeHint(String id) {
        int at = id.indexOf(ID_SEPARATOR);
        Region local = runtime.config().localRegion();
        return at <= 0 ? local : Region.of(id.substring(0, at));
    }

    private Map<String, AttributeValue> item(RegionalSession s, Region region, long version, long stamp) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(s.getId()));
        item.put(REGION, AttributeValue.fromS(region.id()));
        item.put(VERSION, number(version));
        item.put(STAMP, number(stamp));
        item.put(CREATED, number(s.getCreationTime().toEpochMilli()));
        item.put(LAST_ACCESSED, number(s.getLastAccessedTime().toEpochMilli()));
        item.put(MAX_INACTIVE, number(s.getMaxInactiveInterval().toSeconds()));
        item.put(EXPIRES_AT, number(s.getLastAccessedTime().plus(s.getMaxInactiveInterval()).getEpochSecond()));
        HashMap<String, Object> attributes = new HashMap<>();
        s.getAttributeNames().forEach(n -> attributes.put(n, s.getAttribute(n)));
        item.put(ATTRIBUTES, AttributeValue.fromB(SdkBytes.fromByteArray(serializer.convert(attributes))));
        if (s.country != null) {
            item.put(COUNTRY, AttributeValue.fromS(s.country));
        }
        return item;
    }

    @SuppressWarnings("unchecked")
    private RegionalSession session(Map<String, AttributeValue> item) {
        MapSession map = new MapSession(attribute(item, ID).s());
        map.setCreationTime(Instant.ofEpochMilli(longOf(item, CREATED)));
        map.setLastAccessedTime(Instant.ofEpochMilli(longOf(item, LAST_ACCESSED)));
        map.setMaxInactiveInterval(Duration.ofSeconds(longOf(item, MAX_INACTIVE)));
        Map<String, Object> attributes = (Map<String, Object>) deserializer.convert(
                attribute(item, ATTRIBUTES).b().asByteArray());
        attributes.forEach(map::setAttribute);
        AttributeValue country = item.get(COUNTRY);
        return new RegionalSession(map, Region.of(attribute(item, REGION).s()), longOf(item, VERSION),
                country == null ? null : country.s());
    }

    private long longOf(Map<String, AttributeValue> item, String name) {
        return Long.parseLong(attribute(item, name).n());
    }

    /** A session item's attribute; an item written by something else is refused, not half-read. */
    private AttributeValue attribute(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        if (v == null) {
            throw new IllegalStateException("Item " + item.get(ID) + " of session table " + table + " has no "
                    + name + " attribute: not written by MeridianDynamoDbSessionRepository; use a table of its own");
        }
        return v;
    }

    private static Map<String, AttributeValue> key(String id) {
        return Map.of(ID, AttributeValue.fromS(id));
    }

    private static AttributeValue number(long n) {
        return AttributeValue.fromN(Long.toString(n));
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionNotReadableException("Interrupted while waiting for a session's replication");
        }
    }

    /** The pinned region did not answer; the caller tries the next allowed one. */
    private static final class RegionUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RegionUnavailable() {
            super(null, null, false, false);
        }
    }

    /**
     * A session of {@link MeridianDynamoDbSessionRepository}: a Spring Session with its sticky region and the
     * version it was read at (its next save is conditional on it).
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class RegionalSession implements Session {
        private final MapSession delegate;
        private final @Nullable String country;
        private Region region;
        private long version;
        private String originalId;

        RegionalSession(MapSession delegate, Region region, long version, @Nullable String country) {
            this.delegate = delegate;
            this.region = region;
            this.version = version;
            this.country = country;
            this.originalId = delegate.getId();
        }

        /** The session's region: where its reads and writes go while it answers. */
        public Region region() {
            return region;
        }

        /** The stored version this session was read or last saved at (0: not saved yet). */
        public long version() {
            return version;
        }

        @Override
        public String getId() {
            return delegate.getId();
        }

        @Override
        public String changeSessionId() {
            String id = region.id() + ID_SEPARATOR + UUID.randomUUID();
            delegate.setId(id);
            return id;
        }

        @Override
        public <T> @Nullable T getAttribute(String name) {
            return delegate.getAttribute(name);
        }

        @Override
        public Set<String> getAttributeNames() {
            return delegate.getAttributeNames();
        }

        @Override
        public void setAttribute(String name, Object value) {
            delegate.setAttribute(name, value);
        }

        @Override
        public void removeAttribute(String name) {
            delegate.removeAttribute(name);
        }

        @Override
        public Instant getCreationTime() {
            return delegate.getCreationTime();
        }

        @Override
        public void setLastAccessedTime(Instant lastAccessedTime) {
            delegate.setLastAccessedTime(lastAccessedTime);
        }

        @Override
        public Instant getLastAccessedTime() {
            return delegate.getLastAccessedTime();
        }

        @Override
        public void setMaxInactiveInterval(Duration interval) {
            delegate.setMaxInactiveInterval(interval);
        }

        @Override
        public Duration getMaxInactiveInterval() {
            return delegate.getMaxInactiveInterval();
        }

        @Override
        public boolean isExpired() {
            return delegate.isExpired();
        }
    }

    /** Settings of the repository; {@link #client} and {@link #table} are required. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private @Nullable DynamoDbClient client;
        private String table = "meridian-sessions";
        private DataClass dataClass = DataClass.INTERNAL;
        private @Nullable String subjectCountry;
        private Duration readWait = Duration.ofSeconds(2);
        private Duration maxInactive = MapSession.DEFAULT_MAX_INACTIVE_INTERVAL;
        private long remembered = 100_000;

        private Builder() {
        }

        /** The routed client ({@code MultiRegionDynamoDb}); its residency and health apply to every session call. */
        public Builder client(DynamoDbClient client) {
            this.client = client;
            return this;
        }

        /** The global table (partition key {@code id}, string); default {@code meridian-sessions}. */
        public Builder table(String table) {
            this.table = SettingRules.notBlank(table, "MeridianDynamoDbSessionRepository.table", "name the sessions' global table");
            return this;
        }

        /** Decides the regions a session may be stored in; default INTERNAL. */
        public Builder dataClass(DataClass dataClass) {
            this.dataClass = Objects.requireNonNull(dataClass, "dataClass");
            return this;
        }

        /** The sessions' subject country (RESTRICTED: keeps them in its jurisdiction); default the caller's context. */
        public Builder subjectCountry(@Nullable String country) {
            this.subjectCountry = country;
            return this;
        }

        /** How long a read outside the session's region waits for its last version; default 2 s, zero refuses. */
        public Builder readWait(Duration readWait) {
            this.readWait = SettingRules.notNegative(readWait, "MeridianDynamoDbSessionRepository.readWait", "use 0 to refuse at once or a bound such as 2s");
            return this;
        }

        /** A new session's idle timeout; default 30 min. */
        public Builder maxInactiveInterval(Duration interval) {
            this.maxInactive = SettingRules.positive(interval, "MeridianDynamoDbSessionRepository.maxInactiveInterval", "use a positive idle timeout such as 30m");
            return this;
        }

        public MeridianDynamoDbSessionRepository build() {
            return new MeridianDynamoDbSessionRepository(this);
        }
    }
}
