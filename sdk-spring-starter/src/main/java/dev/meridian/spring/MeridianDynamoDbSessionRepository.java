package dev.meridian.spring;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.meridian.core.MultiRegion;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.spi.RegionalBind;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.session.MapSession;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * A Spring Session {@link SessionRepository} on a DynamoDB global table, routed by sdk-core like every Meridian call.
 *
 * <p>Each session has a region (sticky): where its last save was acknowledged, recorded in the session item
 * ({@code region}), in this instance's record of the session and, for a new session, in its id
 * ({@code <region>~<random>}). Every read and save is one routed call with that region as the context's
 * {@linkplain RoutingContext#preferredRegion() preferred region}: sdk-core's router plans it (residency of the
 * session's data class and subject country, the table's replica regions, health, the strategy) and its executor decides
 * from the failure whether the call moves on (see {@code SessionCalls}); the repository never walks regions itself.
 *
 * <p>Reads never return a version older than the session's last acknowledged version (this instance's record of its
 * last save or read): a region whose item is older is turned down and the next planned region is tried; when none has
 * it, the read waits up to the read wait for replication and then refuses with {@link SessionNotReadableException}.
 * An instance with no record of the session reads only in the session's region (the id's, or where its item says it
 * moved) and refuses while that region is unavailable: it cannot tell a stale replica from a current one.
 *
 * <p>Saves are whole-item puts conditional on the version they replace (or on the item's absence for a new session),
 * which makes them safe to repeat: the executor may move a save whose answer was lost to the next region. There the
 * condition either fails because replication already carried the first application (the save recognises its own
 * write by its save id and is acknowledged, not applied again) or holds because it did not, and the same version
 * with the same content is written (the copies differ only in {@code region}; replication keeps one). A save that
 * finds another version fails with {@link SessionNotReadableException} and overwrites nothing. Expiry: the
 * {@code expiresAt} attribute (epoch seconds; enable DynamoDB TTL on it) and a check on every read.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class MeridianDynamoDbSessionRepository
        implements SessionRepository<MeridianDynamoDbSessionRepository.RegionalSession> {
    static final String ID = "id";
    static final String REGION = "region";
    static final String VERSION = "version";
    static final String STAMP = "stamp";
    static final String SAVE_ID = "saveId";
    static final String CREATED = "created";
    static final String LAST_ACCESSED = "lastAccessed";
    static final String MAX_INACTIVE = "maxInactive";
    static final String EXPIRES_AT = "expiresAt";
    static final String ATTRIBUTES = "attributes";
    static final String COUNTRY = "country";
    private static final char ID_SEPARATOR = '~';
    private static final Known DELETED = new Known(Long.MAX_VALUE, Region.AWS_GLOBAL);
    private static final Duration POLL = Duration.ofMillis(50);

    private final SessionCalls calls;
    private final MultiRegion runtime;
    private final String table;
    private final DataClass dataClass;
    private final @Nullable String subjectCountry;
    private final Duration readWait;
    private final Duration maxInactive;
    /** This instance's record per session id: its last acknowledged version and where it was written. */
    private final Cache<String, Known> acknowledged;
    private final SerializingConverter serializer = new SerializingConverter();
    private final DeserializingConverter deserializer = new DeserializingConverter();

    /** The last version of a session this instance acknowledged (saved or read), and the region that holds it. */
    private record Known(long version, Region region) {
        Known later(Known other) {
            return other.version > version ? other : this;
        }
    }

    private MeridianDynamoDbSessionRepository(Builder b) {
        DynamoDbClient dynamo = Objects.requireNonNull(b.client, "client");
        MultiRegionDynamoDb.Shared shared = MultiRegionDynamoDb.shared(dynamo).orElseThrow(() ->
                new IllegalArgumentException("meridian.session needs the routed client built by MultiRegionDynamoDb,"
                        + " was " + dynamo.getClass().getName() + "; give it the multi-region DynamoDbClient"));
        this.calls = new SessionCalls(shared, b.table);
        this.runtime = calls.runtime();
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

    /**
     * A new session, in the region the router would send its first save to now.
     *
     * @throws dev.meridian.core.residency.ResidencyViolationException when the data class allows no region of the table
     * @throws NoRegionAvailableException when none of its regions is available
     */
    @Override
    public RegionalSession createSession() {
        String country = defaultCountry();
        Region home = calls.firstPlanned(context(country, null));
        MapSession map = new MapSession(home.id() + ID_SEPARATOR + UUID.randomUUID());
        map.setMaxInactiveInterval(maxInactive);
        return new RegionalSession(map, home, 0, country);
    }

    @Override
    public void save(RegionalSession session) {
        String original = session.originalId;
        boolean moved = !original.equals(session.getId());
        long next = session.version + 1;
        String saveId = UUID.randomUUID().toString();
        long stamp = runtime.clock().now();
        boolean create = session.version == 0 || moved;
        Region written;
        try {
            // Guarded by the version it replaces (or the item's absence): false once applied, so IDEMPOTENT_WRITE.
            written = calls.write("session.save", OperationKind.IDEMPOTENT_WRITE,
                    context(session.country, session.region), (region, client) -> {
                        PutItemRequest.Builder put = PutItemRequest.builder().tableName(table)
                                .item(item(session, region, next, stamp, saveId))
                                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
                        if (create) {
                            put.conditionExpression("attribute_not_exists(#id)")
                                    .expressionAttributeNames(Map.of("#id", ID));
                        } else {
                            put.conditionExpression("#v = :prev").expressionAttributeNames(Map.of("#v", VERSION))
                                    .expressionAttributeValues(Map.of(":prev", number(session.version)));
                        }
                        try {
                            client.putItem(calls.firstAttempt(region, put.build()));
                            return region;
                        } catch (ConditionalCheckFailedException e) {
                            return ownWrite(e, saveId).orElseThrow(() -> e);
                        }
                    });
        } catch (ConditionalCheckFailedException e) {
            throw new SessionNotReadableException("Session " + session.getId() + " was not saved: its stored version"
                    + " is not " + session.version + " (a concurrent save, or replication behind the session's last"
                    + " write); read it again and retry", e);
        } catch (NoRegionAvailableException | SdkException e) {
            throw new SessionNotReadableException("Session " + session.getId() + " was not saved, or its save was"
                    + " not acknowledged: no region its data class allows took it (" + e.getMessage() + "); read it"
                    + " again and retry", e);
        }
        session.version = next;
        session.region = written;
        session.originalId = session.getId();
        remember(session.getId(), new Known(next, written));
        if (moved) {
            deleteById(original);
        }
    }

    @Override
    public @Nullable RegionalSession findById(String id) {
        Known known = acknowledged.getIfPresent(id);
        if (known == DELETED) {
            return null;
        }
        Optional<Map<String, AttributeValue>> item = read(id, known);
        if (item.isEmpty()) {
            return null;
        }
        RegionalSession session = session(item.get());
        if (known == null && !session.region.equals(homeHint(id))) {
            // The session moved (a save while its first region was unavailable): read it where it lives now, at least
            // at the version just seen.
            remember(id, new Known(session.version, session.region));
            return findById(id);
        }
        remember(id, new Known(session.version, session.region));
        return live(session);
    }

    @Override
    public void deleteById(String id) {
        Known known = acknowledged.getIfPresent(id);
        Region sticky = known == null || known == DELETED ? homeHint(id) : known.region;
        try {
            // Guarded by the item's existence: false once applied, so IDEMPOTENT_WRITE; a region without the item
            // has nothing to delete.
            calls.write("session.delete", OperationKind.IDEMPOTENT_WRITE, context(defaultCountry(), sticky),
                    (region, client) -> {
                        try {
                            client.deleteItem(calls.firstAttempt(region, DeleteItemRequest.builder().tableName(table)
                                    .key(key(id)).conditionExpression("attribute_exists(#id)")
                                    .expressionAttributeNames(Map.of("#id", ID)).build()));
                        } catch (ConditionalCheckFailedException e) {
                            // already gone in this region
                        }
                        return region;
                    });
        } catch (NoRegionAvailableException | SdkException e) {
            throw new SessionNotReadableException("Session " + id + " was not deleted, or its delete was not"
                    + " acknowledged: no region its data class allows took it (" + e.getMessage() + "); retry", e);
        }
        acknowledged.put(id, DELETED);
    }

    /**
     * The session's item (empty: there is none), at least at {@code known}'s version; waits up to the read wait for
     * replication when no available region has it yet.
     */
    private Optional<Map<String, AttributeValue>> read(String id, @Nullable Known known) {
        Region sticky = known == null ? homeHint(id) : known.region;
        RoutingContext ctx = context(defaultCountry(), sticky);
        long deadline = System.nanoTime() + readWait.toNanos();
        while (true) {
            try {
                return calls.read(ctx, new VersionedRead(id, known, sticky)).item();
            } catch (NoRegionAvailableException e) {
                // Without a record only the session's region can answer; with one, replication may catch up.
                if (known == null || System.nanoTime() - deadline >= 0) {
                    throw notReadable(id, sticky, known, e);
                }
            }
            sleep();
        }
    }

    private SessionNotReadableException notReadable(String id, Region sticky, @Nullable Known known,
            RuntimeException cause) {
        return new SessionNotReadableException("Session " + id + " was not read: its region " + sticky.id()
                + " is unavailable and " + (known == null
                ? "this instance has not seen the session's last version, so no other region's copy can be trusted;"
                        + " retry once the region is back"
                : "no other region its data class allows showed its last acknowledged version " + known.version
                        + " within meridian.session.read-wait " + readWait + "; retry once the region is back, or"
                        + " raise the read wait"), cause);
    }

    /**
     * One read attempt per planned region: the item is taken when it is at least the session's last acknowledged
     * version; an older one (a replica behind) turns the region down. Without a record of the session only its own
     * region is read.
     */
    private final class VersionedRead implements RegionalBind<Found, RuntimeException> {
        private final String id;
        private final @Nullable Known known;
        private final Region sticky;

        VersionedRead(String id, @Nullable Known known, Region sticky) {
            this.id = id;
            this.known = known;
            this.sticky = sticky;
        }

        @Override
        public boolean servedIn(Region region) {
            return known != null || region.equals(sticky);
        }

        @Override
        public Optional<Found> in(Region region) {
            Optional<Map<String, AttributeValue>> item = calls.in(region, (r, client) -> {
                GetItemResponse response = client.getItem(calls.firstAttempt(r, GetItemRequest.builder()
                        .tableName(table).key(key(id)).consistentRead(true).build()));
                return response.hasItem() ? Optional.of(response.item()) : Optional.<Map<String, AttributeValue>>empty();
            });
            Known k = known;
            if (k == null) {
                return Optional.of(new Found(item));
            }
            if (item.isEmpty()) {
                // Gone where its last version was written: deleted (or expired). Elsewhere: maybe not replicated yet.
                return region.equals(k.region) ? Optional.of(new Found(item)) : Optional.empty();
            }
            return longOf(item.get(), VERSION) >= k.version ? Optional.of(new Found(item)) : Optional.empty();
        }
    }

    /** What a read found: the item, or none. */
    private record Found(Optional<Map<String, AttributeValue>> item) {
    }

    /** The region that holds this save, when {@code e}'s current item is this very save (an earlier attempt of it). */
    private static Optional<Region> ownWrite(ConditionalCheckFailedException e, String saveId) {
        if (!e.hasItem()) {
            return Optional.empty();
        }
        AttributeValue held = e.item().get(SAVE_ID);
        AttributeValue region = e.item().get(REGION);
        return held != null && saveId.equals(held.s()) && region != null ? Optional.of(Region.of(region.s()))
                : Optional.empty();
    }

    private void remember(String id, Known k) {
        acknowledged.asMap().merge(id, k, (held, now) -> held == DELETED ? now : held.later(now));
    }

    private @Nullable RegionalSession live(RegionalSession s) {
        if (s.isExpired()) {
            return null;
        }
        return s;
    }

    /** The configured subject country, else the caller's: reads know no session's country before reading it. */
    private @Nullable String defaultCountry() {
        return subjectCountry != null ? subjectCountry : RoutingContext.current().subjectCountry().orElse(null);
    }

    /** The caller's context under the session's data class (and country), its region first when given. */
    private RoutingContext context(@Nullable String country, @Nullable Region sticky) {
        RoutingContext.Builder b = RoutingContext.current().toBuilder().dataClass(dataClass);
        if (country != null) {
            b.subjectCountry(country);
        }
        if (sticky != null) {
            b.preferredRegion(sticky);
        }
        return b.build();
    }

    private Region homeHint(String id) {
        int at = id.indexOf(ID_SEPARATOR);
        Region local = runtime.config().localRegion();
        return at <= 0 ? local : Region.of(id.substring(0, at));
    }

    private Map<String, AttributeValue> item(RegionalSession s, Region region, long version, long stamp,
            String saveId) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(s.getId()));
        item.put(SAVE_ID, AttributeValue.fromS(saveId));
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
