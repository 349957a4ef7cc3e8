package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.internal.SettingRules;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * One logical call to route: a name (e.g. {@code GetItem}), its {@link OperationKind}, optionally the resource
 * (table) and routing key, a per-operation routing strategy and a cap on the regions it may try. Immutable and
 * thread-safe.
 */
@API(status = STABLE, since = "0.1")
public final class Operation {
    /** {@link #maxRegions()} value meaning "no cap beyond the configuration's attempt budget". */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    private final String name;
    private final OperationKind kind;
    // An operation is built per call and outlives the JIT's reach (it is routed by methods too big to inline): its
    // resource is kept once (in resourceValue) and its routing key as its parts, which keeps it at 48 bytes (from 56).
    /**
     * The routing key's prefix (joined as {@code prefix#value} when read: most strategies never read it), or null
     * when the key was given whole: then {@link #routingKeyValue} is the key.
     */
    private final @Nullable String routingKeyPrefix;
    private final @Nullable String routingKeyValue;
    private final @Nullable RoutingStrategy strategy;
    private final int maxRegions;
    private final boolean homeOnly;
    private final boolean breakerPerResource;
    private final boolean unhedged;
    private final @Nullable Set<Region> within;
    /** {@link #resource()} as returned, made once: routing asks for it several times per call. */
    private final Optional<String> resourceValue;
    /**
     * {@link #resource()}'s values, one per resource name (the tables an application uses: a small set, capped all the
     * same): an operation is built per call, its resource value need not be.
     */
    private static final ConcurrentHashMap<String, Optional<String>> RESOURCE_VALUES = new ConcurrentHashMap<>();
    private static final int MAX_RESOURCE_VALUES = 1024;

    // Given the builder's fields, not the builder: the builder (one per routed call) is then last used in build(), so
    // escape analysis removes it wherever build() is inlined, whether or not this constructor was (issue 19, item 5).
    private Operation(String name, OperationKind kind, @Nullable String resource, @Nullable String routingKeyPrefix,
            @Nullable String routingKeyValue, @Nullable RoutingStrategy strategy, int maxRegions, boolean homeOnly,
            boolean breakerPerResource, boolean unhedged, @Nullable Set<Region> within) {
        this.name = name;
        this.kind = kind;
        this.routingKeyPrefix = routingKeyPrefix;
        this.routingKeyValue = routingKeyValue;
        this.strategy = strategy;
        this.maxRegions = maxRegions;
        this.homeOnly = homeOnly;
        this.breakerPerResource = breakerPerResource;
        this.unhedged = unhedged;
        this.within = within;
        this.resourceValue = resourceValue(resource);
    }

    private static Optional<String> resourceValue(@Nullable String resource) {
        if (resource == null) {
            return Optional.empty();
        }
        Optional<String> value = RESOURCE_VALUES.get(resource);
        if (value == null) {
            value = Optional.of(resource);
            if (RESOURCE_VALUES.size() < MAX_RESOURCE_VALUES) {
                RESOURCE_VALUES.putIfAbsent(resource, value);
            }
        }
        return value;
    }

    public static Operation of(String name, OperationKind kind) {
        return builder(name, kind).build();
    }

    public static Builder builder(String name, OperationKind kind) {
        return new Builder(name, kind);
    }

    public Builder toBuilder() {
        Builder b = new Builder(name, kind);
        b.resource = resourceValue.orElse(null);
        if (routingKeyPrefix == null) {
            b.routingKey = routingKeyValue;
        } else {
            b.routingKeyPrefix = routingKeyPrefix;
            b.routingKeyValue = routingKeyValue;
        }
        b.strategy = strategy;
        b.maxRegions = maxRegions;
        b.homeOnly = homeOnly;
        b.breakerPerResource = breakerPerResource;
        b.unhedged = unhedged;
        b.within = within;
        return b;
    }

    public String name() {
        return name;
    }

    public OperationKind kind() {
        return kind;
    }

    public Optional<String> resource() {
        return resourceValue;
    }

    public Optional<String> routingKey() {
        return Optional.ofNullable(routingKeyValue());
    }

    private @Nullable String routingKeyValue() {
        return routingKeyPrefix == null ? routingKeyValue : routingKeyPrefix + '#' + routingKeyValue;
    }

    /** A strategy that overrides the configuration's for this operation (e.g. home-by-key for one table). */
    public Optional<RoutingStrategy> strategy() {
        return Optional.ofNullable(strategy);
    }

    /** Most regions this operation may try; 1 disables cross-region failover. {@link #UNLIMITED} by default. */
    public int maxRegions() {
        return maxRegions;
    }

    /**
     * Whether the operation is pinned to its home region: the first region of the strategy's order over every region
     * residency allows, healthy or not. See {@link Builder#homeOnly()}.
     */
    public boolean homeOnly() {
        return homeOnly;
    }

    /**
     * Whether attempts go through a breaker of their own per region × {@link #resource()} even when per-resource
     * breakers are not configured: for resources that are separate endpoints (a JDBC reader and writer).
     */
    public boolean breakerPerResource() {
        return breakerPerResource;
    }

    /**
     * Whether this read must not be hedged: its answer is only right from the region tried first (a strongly
     * consistent read, whose copy in another region may not have replicated the first region's writes yet; a
     * transactional read, which another region replicates item by item). It still fails over to the next region when
     * its attempt fails, and, like a write, starts past a suspect region, to which it goes back when every other
     * region it tried failed retryably (a read is safe to repeat). See {@link Builder#unhedged()}.
     */
    @API(status = EXPERIMENTAL, since = "0.9")
    public boolean unhedged() {
        return unhedged;
    }

    /**
     * The only regions this operation can run in, when its resource exists in fewer than every configured region
     * (a table replicated to some regions only): routing intersects them with what residency allows.
     */
    public Optional<Set<Region>> within() {
        return Optional.ofNullable(within);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Operation)) {
            return false;
        }
        Operation that = (Operation) o;
        return maxRegions == that.maxRegions && homeOnly == that.homeOnly
                && breakerPerResource == that.breakerPerResource && unhedged == that.unhedged && name.equals(that.name) && kind == that.kind
                && resourceValue.equals(that.resourceValue) && Objects.equals(routingKeyValue(), that.routingKeyValue())
                && Objects.equals(strategy, that.strategy) && Objects.equals(within, that.within);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, kind, resourceValue.orElse(null), routingKeyValue(), maxRegions);
    }

    @Override
    public String toString() {
        return "Operation[" + name + ' ' + kind + resourceValue.map(r -> " resource=" + r).orElse("") + ']';
    }

    /** Builder for {@link Operation}; not thread-safe. */
    public static final class Builder {
        private final String name;
        private final OperationKind kind;
        private @Nullable String resource;
        private @Nullable String routingKey;
        private @Nullable String routingKeyPrefix;
        private @Nullable String routingKeyValue;
        private @Nullable RoutingStrategy strategy;
        private int maxRegions = UNLIMITED;
        private boolean homeOnly;
        private boolean breakerPerResource;
        private boolean unhedged;
        private @Nullable Set<Region> within;

        private Builder(String name, OperationKind kind) {
            this.name = Objects.requireNonNull(name, "name");
            this.kind = Objects.requireNonNull(kind, "kind");
        }

        public Builder resource(String resource) {
            this.resource = resource;
            return this;
        }

        public Builder routingKey(String routingKey) {
            this.routingKey = routingKey;
            this.routingKeyPrefix = null;
            this.routingKeyValue = null;
            return this;
        }

        /**
         * The routing key {@code prefix + "#" + value} (e.g. a table and a partition key value), joined only when a
         * strategy reads it: a call routed by a strategy that ignores keys makes no string for it.
         */
        @API(status = EXPERIMENTAL, since = "0.9")
        public Builder routingKey(String prefix, String value) {
            this.routingKey = null;
            this.routingKeyPrefix = Objects.requireNonNull(prefix, "prefix");
            this.routingKeyValue = Objects.requireNonNull(value, "value");
            return this;
        }

        public Builder strategy(RoutingStrategy strategy) {
            this.strategy = strategy;
            return this;
        }

        public Builder maxRegions(int maxRegions) {
            SettingRules.atLeast(maxRegions, 1, "Operation.maxRegions of " + name,
                    "allow at least one region, or leave it unset to use the configuration's maxRegionsPerCall");
            this.maxRegions = maxRegions;
            return this;
        }

        /**
         * Pins the operation to its home region: the router orders every region residency allows (healthy or not)
         * with the operation's strategy and plans only the first. When that region is drained, behind an open
         * breaker or excluded, the call fails with {@link dev.meridian.core.execution.NoRegionAvailableException}
         * instead of moving. For single-writer state that must never change region on a health blip, e.g. a STRICT
         * idempotency record whose home is decided by {@link RoutingStrategy#homeByKey()}.
         */
        public Builder homeOnly() {
            this.homeOnly = true;
            return this;
        }

        /**
         * Never hedges this read: a slow first attempt is waited for rather than raced against the next region, whose
         * answer could be older (e.g. a strongly consistent DynamoDB read of a global table). Failover after a failed
         * attempt is unchanged.
         */
        @API(status = EXPERIMENTAL, since = "0.9")
        public Builder unhedged() {
            this.unhedged = true;
            return this;
        }

        /** See {@link Operation#within()}; {@code null} lifts the bound. */
        public Builder within(@Nullable Set<Region> regions) {
            if (regions != null && regions.isEmpty()) {
                throw SettingRules.invalid("Operation.within of " + name, "must name at least one region", regions,
                        "pass the regions the operation may use, or null to lift the bound");
            }
            this.within = regions == null ? null : Set.copyOf(regions);
            return this;
        }

        /** See {@link Operation#breakerPerResource()}; needs a {@link #resource}. */
        public Builder breakerPerResource() {
            this.breakerPerResource = true;
            return this;
        }

        public Operation build() {
            if (breakerPerResource && resource == null) {
                throw SettingRules.invalid("Operation.resource of " + name, "is required by breakerPerResource()", null,
                        "name the resource (e.g. the table) with resource(..), or drop breakerPerResource()");
            }
            boolean whole = routingKey != null;
            return new Operation(name, kind, resource, whole ? null : routingKeyPrefix,
                    whole ? routingKey : routingKeyValue, strategy, maxRegions, homeOnly, breakerPerResource, unhedged,
                    within);
        }
    }
}
