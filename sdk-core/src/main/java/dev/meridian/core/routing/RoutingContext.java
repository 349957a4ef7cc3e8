package dev.meridian.core.routing;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.Jurisdiction;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import software.amazon.awssdk.regions.Region;

/**
 * Per-call facts that steer routing: the {@link DataClass}, the data subject's country or jurisdiction, a routing
 * key, an idempotency key, a correlation id and regions to avoid. A context that does not set its data class
 * ({@link #isDataClassDeclared()}) takes the configured default (a table's, else {@code meridian.default-data-class};
 * {@link DataClass#INTERNAL} when neither is set: not declared public, but allowed in every configured region unless
 * a residency rule says otherwise), also when it names a data subject.
 *
 * <p>Immutable. {@link #current()} is bound to the calling thread: open a context with try-with-resources;
 * nested scopes restore the outer context (and the outer MDC correlation id) when closed. While a scope is open
 * the correlation id is in the SLF4J MDC under {@value #MDC_KEY}. Asynchronous calls capture {@code current()}
 * when they are made, so the context applies to every failover attempt even on other threads. Scopes must be
 * closed on the thread that opened them.
 *
 * <p>A context is <em>declared</em> ({@link #isDeclared()}) when it names a data class or the data subject (country
 * or jurisdiction). One that does not, such as {@link #empty()} or a request's context carrying only a correlation id
 * and an idempotency key, is routed as a call without a context: the configured default data class (or a table's)
 * applies, and {@code meridian.require-context} refuses it. With {@code io.micrometer:context-propagation} on the
 * class path the thread's context is registered for propagation ({@link RoutingContextAccessor}).
 */
@API(status = STABLE, since = "0.1")
public final class RoutingContext {
    /** MDC key holding the correlation id while a scope is open. */
    public static final String MDC_KEY = "correlationId";

    /** Made without a builder, whose class a call under no context then never loads (cold start). */
    private static final RoutingContext EMPTY = new RoutingContext();
    private static final ThreadLocal<RoutingContext> CURRENT = new ThreadLocal<>();

    private final DataClass dataClass;
    private final @Nullable String subjectCountry;
    private final @Nullable Jurisdiction subjectJurisdiction;
    private final @Nullable String routingKey;
    private final @Nullable String idempotencyKey;
    private final @Nullable String correlationId;
    private final Set<Region> excludedRegions;
    private final @Nullable Region preferredRegion;
    private final @Nullable RoutingSession session;
    private final boolean dataClassDeclared;

    /** The empty context: INTERNAL, nothing else (what an untouched builder builds). */
    private RoutingContext() {
        this.dataClass = DataClass.INTERNAL;
        this.subjectCountry = null;
        this.subjectJurisdiction = null;
        this.routingKey = null;
        this.idempotencyKey = null;
        this.correlationId = null;
        this.excludedRegions = Set.of();
        this.preferredRegion = null;
        this.session = null;
        this.dataClassDeclared = false;
    }

    private RoutingContext(Builder b) {
        this.dataClass = b.dataClass;
        this.subjectCountry = b.subjectCountry;
        this.subjectJurisdiction = b.subjectJurisdiction;
        this.routingKey = b.routingKey;
        this.idempotencyKey = b.idempotencyKey;
        this.correlationId = b.correlationId;
        this.excludedRegions = b.excludedRegions.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(new LinkedHashSet<>(b.excludedRegions));
        this.preferredRegion = b.preferredRegion;
        this.session = b.session;
        this.dataClassDeclared = b.dataClassDeclared;
    }

    /** The context of the calling thread; an empty context (INTERNAL, nothing else) when none is open. */
    public static RoutingContext current() {
        RoutingContext c = CURRENT.get();
        return c == null ? EMPTY : c;
    }

    /** The context open on the calling thread, or null: what {@link RoutingContextAccessor} captures. */
    static RoutingContext currentOrNull() {
        return CURRENT.get();
    }

    /**
     * Leaves the thread without a context until the returned scope is closed (the MDC is left as it is): what
     * {@link RoutingContextAccessor} does where the captured snapshot has none.
     */
    static Scope openNone() {
        RoutingContext previous = CURRENT.get();
        CURRENT.remove();
        return new ContextScope(previous, null, false);
    }

    /** The empty context. */
    public static RoutingContext empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.dataClass = dataClass;
        b.subjectCountry = subjectCountry;
        b.subjectJurisdiction = subjectJurisdiction;
        b.routingKey = routingKey;
        b.idempotencyKey = idempotencyKey;
        b.correlationId = correlationId;
        b.excludedRegions.addAll(excludedRegions);
        b.preferredRegion = preferredRegion;
        b.session = session;
        b.dataClassDeclared = dataClassDeclared;
        return b;
    }

    /** Makes this the thread's current context until the returned scope is closed. */
    public Scope open() {
        RoutingContext previous = CURRENT.get();
        String previousMdc = MDC.get(MDC_KEY);
        CURRENT.set(this);
        if (correlationId != null) {
            MDC.put(MDC_KEY, correlationId);
        }
        return new ContextScope(previous, previousMdc, correlationId != null);
    }

    public DataClass dataClass() {
        return dataClass;
    }

    public Optional<Jurisdiction> subjectJurisdiction() {
        return Optional.ofNullable(subjectJurisdiction);
    }

    public Optional<String> subjectCountry() {
        return Optional.ofNullable(subjectCountry);
    }

    public Optional<String> routingKey() {
        return Optional.ofNullable(routingKey);
    }

    public Optional<String> idempotencyKey() {
        return Optional.ofNullable(idempotencyKey);
    }

    public Optional<String> correlationId() {
        return Optional.ofNullable(correlationId);
    }

    /**
     * Whether this context declares what the data is: a data class or the data subject (country or jurisdiction).
     * A context that does not (correlation id, idempotency key, preferred or excluded regions only) is routed as a
     * call without a context: the configured default data class applies and {@code require-context} refuses it.
     */
    public boolean isDeclared() {
        return dataClassDeclared || subjectCountry != null || subjectJurisdiction != null;
    }

    /**
     * Whether the data class was set ({@link Builder#dataClass}). When it was not, {@link #dataClass()} says
     * {@link DataClass#INTERNAL} but the call runs under the configured default data class (a table's, else
     * {@code meridian.default-data-class}), also when the context names a data subject: an undeclared data class
     * never weakens a fail-closed default.
     */
    public boolean isDataClassDeclared() {
        return dataClassDeclared;
    }

    public Set<Region> excludedRegions() {
        return excludedRegions;
    }

    /**
     * The region to try first when residency and health allow it (a sticky session's region); never a way around
     * residency: a preferred region the call may not use is ignored.
     */
    public Optional<Region> preferredRegion() {
        return Optional.ofNullable(preferredRegion);
    }

    /**
     * The caller's read-your-writes session across services: its reads are served only where its writes
     * ({@link RoutingSession#token()}: per region written to, the latest) are visible, and its writes advance it. Empty: no such session (reads go
     * wherever routing says).
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public Optional<RoutingSession> session() {
        return Optional.ofNullable(session);
    }

    @Override
    public String toString() {
        return "RoutingContext[" + (dataClassDeclared ? dataClass : isDeclared() ? "default data class" : "undeclared")
                + (subjectCountry != null ? " country=" + subjectCountry : "")
                + (subjectJurisdiction != null ? " jurisdiction=" + subjectJurisdiction : "")
                + (correlationId != null ? " correlationId=" + correlationId : "")
                + (excludedRegions.isEmpty() ? "" : " excluded=" + excludedRegions)
                + (preferredRegion == null ? "" : " preferred=" + preferredRegion)
                + (session == null ? "" : " session=" + session) + ']';
    }

    /** An open context; {@link #close()} restores the previous one. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final class ContextScope implements Scope {
        private final @Nullable RoutingContext previous;
        private final @Nullable String previousMdc;
        private final boolean touchedMdc;
        private boolean closed;

        ContextScope(@Nullable RoutingContext previous, @Nullable String previousMdc, boolean touchedMdc) {
            this.previous = previous;
            this.previousMdc = previousMdc;
            this.touchedMdc = touchedMdc;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
            if (touchedMdc) {
                if (previousMdc == null) {
                    MDC.remove(MDC_KEY);
                } else {
                    MDC.put(MDC_KEY, previousMdc);
                }
            }
        }
    }

    /**
     * Builder for {@link RoutingContext}; not thread-safe. The context it builds is declared
     * ({@link RoutingContext#isDeclared()}) once a data class, subject country or subject jurisdiction is set.
     */
    public static final class Builder {
        private DataClass dataClass = DataClass.INTERNAL;
        private @Nullable String subjectCountry;
        private @Nullable Jurisdiction subjectJurisdiction;
        private @Nullable String routingKey;
        private @Nullable String idempotencyKey;
        private @Nullable String correlationId;
        private final Set<Region> excludedRegions = new LinkedHashSet<>();
        private @Nullable Region preferredRegion;
        private @Nullable RoutingSession session;
        private boolean dataClassDeclared;

        private Builder() {
        }

        public Builder dataClass(DataClass dataClass) {
            this.dataClass = Objects.requireNonNull(dataClass, "dataClass");
            this.dataClassDeclared = true;
            return this;
        }

        /** ISO-3166 alpha-2 country of the data subject, mapped to a jurisdiction by the residency policy. */
        public Builder subjectCountry(@Nullable String country) {
            this.subjectCountry = country == null ? null : country.trim().toUpperCase(Locale.ROOT);
            return this;
        }

        /** Explicit subject jurisdiction; wins over the country mapping. */
        public Builder subjectJurisdiction(Jurisdiction jurisdiction) {
            this.subjectJurisdiction = jurisdiction;
            return this;
        }

        public Builder routingKey(String routingKey) {
            this.routingKey = routingKey;
            return this;
        }

        public Builder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        public Builder correlationId(String correlationId) {
            this.correlationId = correlationId;
            return this;
        }

        public Builder excludeRegion(Region region) {
            excludedRegions.add(Objects.requireNonNull(region, "region"));
            return this;
        }

        /** See {@link RoutingContext#preferredRegion()}; {@code null} clears it. */
        public Builder preferredRegion(Region region) {
            this.preferredRegion = region;
            return this;
        }

        /** See {@link RoutingContext#session()}; {@code null} clears it. */
        @API(status = EXPERIMENTAL, since = "0.1")
        public Builder session(@Nullable RoutingSession session) {
            this.session = session;
            return this;
        }

        public RoutingContext build() {
            return new RoutingContext(this);
        }

        /** Shorthand for {@code build().open()}. */
        public Scope open() {
            return build().open();
        }
    }
}
