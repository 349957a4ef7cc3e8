package dev.meridian.core;

import dev.meridian.core.control.RegionControl;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.internal.Metrics;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.Jurisdiction;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.LatencyTracker;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.routing.RoutingRandom;
import dev.meridian.core.routing.RoutingRequest;
import dev.meridian.core.routing.RoutingStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * Makes the {@link RoutingPlan} of one call: residency (allowed regions) → health (drop drained regions, open
 * breakers — with {@link dev.meridian.core.health.HealthConfig#perResourceBreakers()} also regions whose breaker for
 * the operation's resource is open — the context's excluded regions, and regions the fleet's {@link RegionControl}
 * turned OFF) → strategy order (the control's weights, when it gives any, before the configured ones) (the operation's
 * strategy, else the configuration's). Fails closed: when residency allows no configured region it throws
 * {@link ResidencyViolationException} (counted as {@code meridian.residency.refused}, logged once at WARN, never
 * with a payload); {@link NoRegionAvailableException} when regions are allowed but none is available (an outage,
 * never reported as a refusal; nothing is sent outside the allowed regions either way). A strategy can only reorder or drop candidates: regions it adds are ignored. Thread-safe.
 */
final class Router implements ToIntFunction<Region> {
    private static final Jurisdiction UNKNOWN = Jurisdiction.of("UNKNOWN");
    private static final RoutingStrategy LOCAL_FIRST = RoutingStrategy.localFirst();
    /**
     * Bound of the allowed-regions cache per data class, and of the data classes cached: subject jurisdictions come
     * from callers' contexts, so an unbounded cache would grow with every distinct value a caller sends.
     */
    static final int ALLOWED_CACHE_SIZE = 256;

    private final MultiRegionConfig config;
    private final RegionHealth health;
    private final LatencyTracker latency;
    private final RoutingRandom random;
    private final Metrics metrics;
    /** The fleet's region controls, or null when no control source is configured. */
    private final @Nullable RegionControl control;
    private final RoutingContext defaultContext;
    /** {@link #footprintMatters} of a context that declares nothing: the configuration's answer, asked per call. */
    private final boolean undeclaredFootprintMatters;
    /**
     * The last plan made, given again while a call's plan comes out of the same immutable lists (every region usable,
     * the strategy keeping the configured order, the allowed regions from the cache) for the same data class and
     * subject: the common case of every call, which would otherwise build an identical plan each time.
     */
    private volatile @Nullable LastPlan lastPlan;

    /**
     * A plan and the subject jurisdiction it was made for. A plain class, not a record: a record's class file carries
     * its generated equals, hashCode and toString, which nothing here calls (cold start).
     */
    private static final class LastPlan {
        final RoutingPlan plan;
        final @Nullable Jurisdiction jurisdiction;

        LastPlan(RoutingPlan plan, @Nullable Jurisdiction jurisdiction) {
            this.plan = plan;
            this.jurisdiction = jurisdiction;
        }
    }

    /**
     * The subject jurisdiction and allowed regions of a call made under no context (the configured default data
     * class), found on first use: they depend on the configuration only, and most calls are made so.
     */
    private volatile @Nullable DefaultScope defaultScope;

    /** A plain class, not a record, as {@link LastPlan}. */
    private static final class DefaultScope {
        final Optional<Jurisdiction> subject;
        final Set<Region> allowed;

        DefaultScope(Optional<Jurisdiction> subject, Set<Region> allowed) {
            this.subject = subject;
            this.allowed = allowed;
        }
    }
    /**
     * Allowed regions per data class and subject jurisdiction. A plain map that stops growing at its bound (further
     * pairs are computed per call) rather than a Caffeine cache: the pairs in use are few and stable, hits must not
     * allocate, and a Lambda cold start should not load a cache library for it.
     */
    private final ConcurrentHashMap<DataClass, ConcurrentHashMap<Jurisdiction, Set<Region>>> allowedCache =
            new ConcurrentHashMap<>();

    Router(MultiRegionConfig config, RegionHealth health) {
        this(config, health, new LatencyTracker(), Metrics.noop());
    }

    Router(MultiRegionConfig config, RegionHealth health, LatencyTracker latency, Metrics metrics) {
        this(config, health, latency, RoutingRandom.create(), metrics);
    }

    Router(MultiRegionConfig config, RegionHealth health, LatencyTracker latency, RoutingRandom random,
            Metrics metrics) {
        this(config, health, latency, random, metrics, null);
    }

    Router(MultiRegionConfig config, RegionHealth health, LatencyTracker latency, RoutingRandom random,
            Metrics metrics, @Nullable RegionControl control) {
        this.control = control;
        this.config = Objects.requireNonNull(config, "config");
        this.health = Objects.requireNonNull(health, "health");
        this.latency = Objects.requireNonNull(latency, "latency");
        this.random = Objects.requireNonNull(random, "random");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.defaultContext = config.defaultDataClass().equals(DataClass.INTERNAL) ? RoutingContext.empty()
                : RoutingContext.builder().dataClass(config.defaultDataClass()).build();
        this.undeclaredFootprintMatters = config.requireContext()
                || !defaultContext.dataClass().equals(DataClass.INTERNAL);
    }

    public MultiRegionConfig config() {
        return config;
    }

    /**
     * The weight of each region the strategies see: the control's when it gives one, else the configured one. The
     * router itself, not a lambda: one spun on every cold start's first build.
     */
    ToIntFunction<Region> weights() {
        return this;
    }

    @Override
    public int applyAsInt(Region region) {
        return control == null ? config.weight(region) : control.weight(region).orElse(config.weight(region));
    }

    RegionHealth health() {
        return health;
    }

    public LatencyTracker latency() {
        return latency;
    }

    /** The subject jurisdiction of a context under this configuration's country table. */
    public Optional<Jurisdiction> subjectJurisdiction(RoutingContext ctx) {
        return config.residency().subjectJurisdiction(ctx.subjectJurisdiction(), ctx.subjectCountry());
    }

    /**
     * Every region residency allows for the context, in configuration order (healthy or not); a context that does
     * not set its data class is under the configured default data class.
     */
    public Set<Region> allowedRegions(RoutingContext ctx) {
        ctx = withDefaultDataClass(ctx);
        return allowedRegions(ctx, subjectJurisdiction(ctx));
    }

    private Set<Region> allowedRegions(RoutingContext ctx, Optional<Jurisdiction> subject) {
        ConcurrentHashMap<Jurisdiction, Set<Region>> byJurisdiction = allowedCache.get(ctx.dataClass());
        if (byJurisdiction == null) {
            if (allowedCache.size() >= ALLOWED_CACHE_SIZE) {
                return computeAllowed(ctx, subject);
            }
            // putIfAbsent, not computeIfAbsent with a lambda spun at every cold start's first call.
            ConcurrentHashMap<Jurisdiction, Set<Region>> fresh = new ConcurrentHashMap<>();
            byJurisdiction = allowedCache.putIfAbsent(ctx.dataClass(), fresh);
            if (byJurisdiction == null) {
                byJurisdiction = fresh;
            }
        }
        Jurisdiction key = subject.orElse(UNKNOWN);
        // Plain get() first: this runs on every call and nearly always hits, and a mapping function capturing ctx and
        // subject would allocate a lambda per call.
        Set<Region> cached = byJurisdiction.get(key);
        if (cached != null) {
            return cached;
        }
        Set<Region> allowed = computeAllowed(ctx, subject);
        if (byJurisdiction.size() < ALLOWED_CACHE_SIZE) {
            byJurisdiction.putIfAbsent(key, allowed);
        }
        return allowed;
    }

    private Set<Region> computeAllowed(RoutingContext ctx, Optional<Jurisdiction> subject) {
        return Set.copyOf(config.residency().allowedRegions(ctx.dataClass(), subject, config.jurisdictions()));
    }

    /**
     * The plan for one call.
     *
     * @throws ResidencyViolationException when no allowed region is configured or available
     * @throws NoRegionAvailableException when every region is drained, open or excluded
     */
    public RoutingPlan plan(Operation op, RoutingContext ctx) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(ctx, "ctx");
        ctx = effective(op, ctx);
        Optional<Jurisdiction> subject;
        Set<Region> allowed;
        if (ctx == defaultContext) {
            DefaultScope scope = defaultScope();
            subject = scope.subject;
            allowed = scope.allowed;
        } else {
            subject = subjectJurisdiction(ctx);
            allowed = allowedRegions(ctx, subject);
        }
        if (allowed.isEmpty()) {
            throw refusal(op, ctx, "no configured region is allowed");
        }
        boolean residencyLimited = allowed.size() < config.regionList().size();
        if (op.within().isPresent()) {
            allowed = BoundPlans.within(this, op, ctx, allowed, residencyLimited);
        }
        Set<Region> excluded = ctx.excludedRegions();
        // The region × resource breaker counts against planning whenever the operation names a resource: with
        // per-resource breakers it takes every failure, otherwise only the resource's throttling (RegionHealth).
        String resource = op.resource().orElse(null);
        if (op.homeOnly()) {
            return BoundPlans.homePlan(this, op, ctx, subject, allowed, residencyLimited, resource);
        }
        List<Region> byPriority = config.regionsByPriority();
        List<Region> candidates = byPriority;
        // Allowed regions are configured ones: as many means all of them, and the usual empty exclusion list need not
        // be asked per region either.
        boolean allAllowed = allowed.size() == byPriority.size();
        boolean noneExcluded = excluded.isEmpty();
        for (int i = 0, n = byPriority.size(); i < n; i++) {
            Region r = byPriority.get(i);
            boolean usable = (allAllowed || allowed.contains(r)) && (noneExcluded || !excluded.contains(r))
                    && controlOn(r) && (resource == null ? health.isAvailable(r) : health.isAvailable(r, resource));
            if (!usable && candidates == byPriority) {
                // First unusable region: copy the usable prefix; the common all-healthy case allocates nothing.
                candidates = new ArrayList<>(byPriority.subList(0, i));
            } else if (usable && candidates != byPriority) {
                candidates.add(r);
            }
        }
        if (candidates.isEmpty()) {
            // An outage of the allowed regions, not a policy refusal: callers must be able to tell the two apart.
            throw NoRegionErrors.noneAvailable(op, residencyLimited, allowed, byPriority, resource);
        }
        RoutingStrategy strategy = op.strategy().orElse(config.routing());
        if (ctx.preferredRegion().isPresent() && !op.homeOnly()) {
            // A sticky region goes first when it is a candidate; preferring() never adds a region.
            strategy = RoutingStrategy.preferring(ctx.preferredRegion().get(), strategy);
        }
        List<Region> ordered = candidates.size() == 1 || inLocalFirstOrder(strategy, candidates) ? candidates
                : RoutingStrategy.orderWithin(strategy, candidates, request(op, ctx));
        if (ordered.isEmpty()) {
            throw NoRegionErrors.noCandidate(strategy, op, candidates);
        }
        Jurisdiction jurisdiction = subject.orElse(null);
        LastPlan last = lastPlan;
        if (last != null && last.plan.regions() == ordered && last.plan.allowed() == allowed
                && last.plan.residencyLimited() == residencyLimited && last.plan.dataClass().equals(ctx.dataClass())
                && Objects.equals(last.jurisdiction, jurisdiction)) {
            return last.plan;
        }
        RoutingPlan plan = RoutingPlan.of(ordered, allowed, residencyLimited, ctx.dataClass(), jurisdiction);
        lastPlan = new LastPlan(plan, jurisdiction);
        return plan;
    }

    private DefaultScope defaultScope() {
        DefaultScope scope = defaultScope;
        if (scope == null) {
            Optional<Jurisdiction> subject = subjectJurisdiction(defaultContext);
            scope = new DefaultScope(subject, allowedRegions(defaultContext, subject));
            defaultScope = scope;
        }
        return scope;
    }

    /**
     * Whether the region control lets {@code region} be planned; a region found OFF brings the control's next read
     * forward, so a region an operator turned back ON returns within a fraction of the poll interval.
     */
    boolean controlOn(Region region) {
        if (control == null || control.isOn(region)) {
            return true;
        }
        control.refreshSoon();
        return false;
    }

    /**
     * Whether {@link #checkFootprint} would look at a store's replica footprint for this context: RESTRICTED data, or
     * a context residency limits to fewer than every configured region. Lets callers skip finding the footprint
     * (e.g. a {@code DescribeTable}) when it cannot matter.
     */
    public boolean footprintMatters(RoutingContext ctx) {
        if (!ctx.isDeclared()) {
            return undeclaredFootprintMatters;
        }
        ctx = withDefaultDataClass(ctx);
        return ctx.dataClass().equals(DataClass.RESTRICTED)
                || allowedRegions(ctx).size() < config.regionList().size();
    }

    /**
     * Refuses a call whose data store replicates to {@code replicaFootprint} when that reaches outside the regions
     * residency allows (checked for RESTRICTED data and for any data class a rule limits; PUBLIC/INTERNAL data
     * allowed everywhere is not checked).
     *
     * @throws ResidencyViolationException when the footprint reaches outside the allowed set
     */
    public void checkFootprint(Operation op, RoutingContext ctx, Set<Region> replicaFootprint) {
        Objects.requireNonNull(replicaFootprint, "replicaFootprint");
        ctx = effective(op, ctx);
        if (!footprintMatters(ctx)) {
            return;
        }
        ResidencyRefusals.checkFootprint(this, op, ctx, allowedRegions(ctx), replicaFootprint);
    }

    /** Counts, logs and builds a residency refusal for a call no allowed region can take. */
    public ResidencyViolationException refuse(Operation op, RoutingContext ctx, String reason, @Nullable Throwable cause) {
        return ResidencyRefusals.refuse(subjectJurisdiction(ctx), metrics, op, ctx, reason, cause);
    }

    /**
     * {@link #refuse} for a throw site: typed {@link RuntimeException} so that verifying the router does not load the
     * exception's class (cold start).
     */
    RuntimeException refusal(Operation op, RoutingContext ctx, String reason) {
        return ResidencyRefusals.refusal(subjectJurisdiction(ctx), metrics, op, ctx, reason);
    }

    /**
     * The context a call runs under: its own, or — made while none is open, or under one that declares neither a
     * data class nor a subject ({@link RoutingContext#isDeclared()}) — the configured default data class's (keeping
     * the context's preferred and excluded regions), or a refusal when {@link MultiRegionConfig#requireContext()}.
     * A context naming a subject but no data class takes the configured default data class too.
     */
    private RoutingContext effective(Operation op, RoutingContext ctx) {
        if (ctx.isDeclared()) {
            return withDefaultDataClass(ctx);
        }
        if (config.requireContext()) {
            throw ResidencyRefusals.contextRequired(this, op);
        }
        if (ctx == RoutingContext.empty()) {
            return defaultContext;
        }
        // The default data class applies; the context's preferred and excluded regions still steer the call.
        return defaultContext == RoutingContext.empty() ? ctx
                : ctx.toBuilder().dataClass(defaultContext.dataClass()).build();
    }

    /**
     * A declared context whose data class was not set ({@link RoutingContext#isDataClassDeclared()}), e.g. a subject
     * country alone, under the configured default data class: an undeclared data class never weakens a fail-closed
     * default.
     */
    private RoutingContext withDefaultDataClass(RoutingContext ctx) {
        return ctx.isDataClassDeclared() || defaultContext == RoutingContext.empty() ? ctx
                : ctx.toBuilder().dataClass(defaultContext.dataClass()).build();
    }

    /**
     * The home of {@code op}: the first region of its strategy's order over the regions it exists in
     * ({@link Operation#within()}, independent of the call's context, so a key keeps one home whoever asks), else over
     * {@code allowed}.
     */
    Region home(Operation op, RoutingContext ctx, Set<Region> allowed) {
        return BoundPlans.home(this, op, ctx, allowed);
    }

    /**
     * Whether {@code candidates} are already in the order {@code strategy} gives them: the default local-first strategy
     * with the local region first or not a candidate (it then keeps the priority order). Such a plan makes no
     * {@link RoutingRequest}: one object per call, which only escape analysis removed otherwise, and only in the
     * compilations where C2 inlined the strategy into this router's (issue 19, item 5).
     */
    private boolean inLocalFirstOrder(RoutingStrategy strategy, List<Region> candidates) {
        return strategy == LOCAL_FIRST && candidates.indexOf(config.localRegion()) <= 0;
    }

    RoutingRequest request(Operation op, RoutingContext ctx) {
        return new RoutingRequest(op, ctx, config.localRegion(), this, latency, random);
    }
}
