package dev.meridian.spring.doors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.health.RegionStatus;
import dev.meridian.spring.doors.DoorsFixture.Apps;
import dev.meridian.spring.doors.DoorsFixture.Response;
import dev.meridian.testkit.RegionFaults;
import dev.meridian.testkit.RequestJournal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.http.HttpHeaders;

/**
 * The residency and exactly-once invariants at every Spring door, property-based: a random {@link Door} × routing
 * headers (present, subject without data class, absent, malformed) × configuration (nothing, require-context,
 * RESTRICTED by default) × table (replicated everywhere, EU only, table default RESTRICTED) × a fault in one region
 * (none, eu-west-1 refusing connections, eu-central-1 answering 500, us-east-1 black-holed); and, in a second
 * property, the region where the write would start black-holed until the door's runtime gave it up — suspect or
 * ejected — through hedged reads. Each try writes one
 * item with a unique id; the regions' request journals (which keep request bodies here) are the witness:
 * <ol>
 *   <li>the item reaches no region outside {@link #allowed(Case, String) the regions the documented rules allow}:
 *       RESTRICTED data (declared, or by a table's or the configuration's default) stays in its subject's
 *       jurisdiction and is refused before anything is sent when the table replicates outside it or when there is
 *       no subject (docs/configuration.md: "RESTRICTED fails closed: such calls are refused");</li>
 *   <li>with {@code meridian.require-context}, a request without routing headers is refused (403) and nothing is
 *       written anywhere;</li>
 *   <li>a malformed header is answered with 400 and nothing is written anywhere;</li>
 *   <li>the item is sent to at most one region where it may have been applied: a plain put is never moved after a
 *       failure that may have been applied (black hole, 500), only after one proving it was not (refused
 *       connection).</li>
 *   <li>({@link #writesStartPastAGivenUpRegion}) with the region where a write would start given up (suspect or
 *       ejected, and still black-holed), a write whose plan has another region starts there: it is never sent to the
 *       given-up region and is answered 204 (RESTRICTED writes still never leave their jurisdiction, invariant
 *       1).</li>
 * </ol>
 * The applications of one configuration (servlet, reactive: those the slice's doors need) are started on first use and
 * reused by every try: starting them is the expensive part. The local region is us-east-1, where a call that lost its
 * context goes.
 *
 * <p>80 tries in all, run as two classes of 40 over disjoint families of doors ({@link DoorInvariantPropertyIT}: the
 * request's thread and Spring MVC's asynchronous handlers; {@link DoorInvariantPropertyOtherThreadsIT}: writes made on
 * another thread, an {@code @Async} method, an SDK thread, a WebFlux scheduler), each with a fixture of its own, so
 * that two failsafe forks run them side by side; every other generator is the same in both.
 */
abstract class DoorInvariantProperties {
    private static final String EU_WEST = "eu-west-1";
    private static final String EU_CENTRAL = "eu-central-1";
    private static final String US_EAST = "us-east-1";

    private static final DoorPropertyFixture DOORS = new DoorPropertyFixture();

    private final Set<Door> doors;

    /** The slice: the doors this class's tries go through. */
    DoorInvariantProperties(Set<Door> doors) {
        this.doors = doors;
    }

    @BeforeContainer
    static void start() {
        DOORS.start();
    }

    @AfterContainer
    static void stop() {
        DOORS.stop();
    }

    private static DoorsFixture fixture() {
        return DOORS.fixture();
    }

    /** What the request's routing headers say. */
    enum Headers {
        DE_RESTRICTED("DE", "RESTRICTED", null),
        /** A subject but no data class: the configured default data class applies. */
        DE_SUBJECT_ONLY("DE", null, null),
        US_RESTRICTED("US", "RESTRICTED", null),
        US_SUBJECT_ONLY("US", null, null),
        DE_INTERNAL("DE", "INTERNAL", null),
        ABSENT(null, null, null),
        MALFORMED_DATA_CLASS("DE", "RESTRICTED;drop", null),
        MALFORMED_COUNTRY("D1", "RESTRICTED", null),
        UNKNOWN_REGION("DE", "RESTRICTED", "ap-south-1");

        final String country;
        final String dataClass;
        final String region;

        Headers(String country, String dataClass, String region) {
            this.country = country;
            this.dataClass = dataClass;
            this.region = region;
        }

        boolean malformed() {
            return this == MALFORMED_DATA_CLASS || this == MALFORMED_COUNTRY || this == UNKNOWN_REGION;
        }
    }

    /** The session region a valid request asks for (never a way around residency). */
    enum Sticky {
        NONE, EU_CENTRAL, US_EAST
    }

    /** The applications' configuration on top of the topology and the tables. */
    enum Config {
        NOTHING(), REQUIRE_CONTEXT("meridian.require-context=true"),
        RESTRICTED_BY_DEFAULT("meridian.default-data-class=RESTRICTED");

        final String[] properties;

        Config(String... properties) {
            this.properties = properties;
        }
    }

    /** A table of {@link DoorsFixture}, with the regions it is replicated to. */
    enum Table {
        EVERYWHERE(DoorsFixture.TABLE, DoorsFixture.REGIONS, false),
        EU_ONLY(DoorsFixture.EU_TABLE, DoorsFixture.EU, false),
        RESTRICTED_DEFAULT(DoorsFixture.DEFAULTED_TABLE, DoorsFixture.REGIONS, true);

        final String name;
        final List<String> replicas;
        final boolean restrictedByDefault;

        Table(String name, List<String> replicas, boolean restrictedByDefault) {
            this.name = name;
            this.replicas = replicas;
            this.restrictedByDefault = restrictedByDefault;
        }
    }

    /** A fault in one region for the duration of the try. */
    enum Fault {
        NONE, EU_WEST_REFUSED, EU_CENTRAL_500, US_EAST_BLACKHOLE,
        /**
         * The region where the case's write would start ({@link #givenUpRegion}) black-holed until the door's runtime
         * gave it up (suspect: hedged reads left it unanswered; or ejected), then the write: it starts in another.
         */
        GIVEN_UP;

        /** Injects the fault for case {@code c}; what the door's runtime then says of the given-up region. */
        String inject(Apps apps, Case c) {
            switch (this) {
                case EU_WEST_REFUSED -> fixture().regionFaults(EU_WEST).down();
                case EU_CENTRAL_500 -> fixture().regionFaults(EU_CENTRAL).status(500);
                case US_EAST_BLACKHOLE -> fixture().regionFaults(US_EAST).blackhole();
                case GIVEN_UP -> {
                    String region = givenUpRegion(c);
                    RegionStatus s = fixture().blackholeUntilGivenUp(apps, c.door().type(), region);
                    return region + " " + (s.suspect() ? "suspect" : s.breaker().toString());
                }
                default -> { }
            }
            return "none";
        }
    }

    record Case(Door door, Headers headers, Sticky sticky, Config config, Table table, Fault fault) {
    }

    @Provide
    Arbitrary<Door> doors() {
        return Arbitraries.of(doors);
    }

    /** Each kind of valid headers three times as often as each malformed one: most tries should reach a region. */
    @Provide
    Arbitrary<Headers> headers() {
        List<Tuple2<Integer, Headers>> weighted = new ArrayList<>();
        for (Headers h : Headers.values()) {
            weighted.add(Tuple.of(h.malformed() ? 1 : 3, h));
        }
        return Arbitraries.frequency(weighted);
    }

    @Provide
    Arbitrary<Fault> faults() {
        return Arbitraries.of(Fault.NONE, Fault.EU_WEST_REFUSED, Fault.EU_CENTRAL_500, Fault.US_EAST_BLACKHOLE);
    }

    /** Headers whose writes reach a region for some table: a subject's INTERNAL data, a German subject's any. */
    @Provide
    Arbitrary<Headers> writingHeaders() {
        return Arbitraries.of(Headers.DE_RESTRICTED, Headers.DE_SUBJECT_ONLY, Headers.DE_INTERNAL, Headers.ABSENT,
                Headers.US_SUBJECT_ONLY);
    }

    @Property(tries = 40)
    void restrictedDataStaysInItsJurisdictionAndNoContextFollowsTheConfiguration(@ForAll("doors") Door door,
            @ForAll("headers") Headers headers, @ForAll Sticky sticky, @ForAll Config config, @ForAll Table table,
            @ForAll("faults") Fault fault) {
        Case c = new Case(door, headers, sticky, config, table, fault);
        Apps apps = apps(config);
        String id = UUID.randomUUID().toString();
        fixture().clearJournals();
        fault.inject(apps, c);
        Response r;
        try {
            r = apps.send(door, table.name, id, headers(c));
        } finally {
            fixture().healAll();
        }

        Set<String> allowed = allowed(c, table.name);
        Set<String> reached = assertWritten(c, id, table.name, allowed);
        Statistics.label("answer").collect(r.status());
        Statistics.label("item reached").collect(reached.isEmpty() ? "no region" : "a region");
        if (door == Door.FUTURE_THEN_COMPOSE) {
            assertWritten(c, id + "-first", DoorsFixture.EU_TABLE, allowed(c, DoorsFixture.EU_TABLE));
        }
        if (headers.malformed()) {
            assertThat(r.status()).as("%s: %s", c, r.body()).isEqualTo(400);
        } else if (refusedBeforeSending(c)) {
            assertThat(r.status()).as("%s: %s", c, r.body()).isEqualTo(403);
        } else if (allowed.isEmpty()) {
            assertThat(r.status()).as("%s: %s", c, r.body()).isNotEqualTo(204);
        }
    }

    /**
     * Invariant 5, at every door of the slice: the region where a write would start (its session region, else the
     * local us-east-1, else eu-west-1: the first of its plan) black-holed and given up on by the door's runtime —
     * suspect, or ejected — before a write whose plan has another region; the write is never sent there, but to one
     * region of its plan, and answered 204. Invariants 1 and 4 hold too: a German subject's RESTRICTED write whose
     * eu-west-1 is given up goes to eu-central-1, never to us-east-1.
     */
    @Property(tries = 12)
    void writesStartPastAGivenUpRegion(@ForAll("doors") Door door, @ForAll("writingHeaders") Headers headers,
            @ForAll Sticky sticky, @ForAll Table table) {
        Case c = new Case(door, headers, sticky, Config.NOTHING, table, Fault.GIVEN_UP);
        Set<String> allowed = allowed(c, table.name);
        Assume.that(!refusedBeforeSending(c) && !allowed.isEmpty());
        Apps apps = apps(Config.NOTHING);
        String id = UUID.randomUUID().toString();
        fixture().clearJournals();
        Response r;
        try {
            Statistics.label("given up when written").collect(Fault.GIVEN_UP.inject(apps, c));
            r = apps.send(door, table.name, id, headers(c));
        } finally {
            fixture().healAll();
            // Writes send no trials: left suspect, the region would never take another try's first attempt.
            apps.runtime(door.type()).resetHealth();
        }
        assertWritten(c, id, table.name, allowed);
        if (door == Door.FUTURE_THEN_COMPOSE) {
            assertWritten(c, id + "-first", DoorsFixture.EU_TABLE, allowed(c, DoorsFixture.EU_TABLE));
        }
        assertStartedPastGivenUpRegion(c, id, allowed, r);
    }

    private Apps apps(Config config) {
        return DOORS.apps(config, doors);
    }

    /**
     * The first region of the case's plan: its session region if allowed, else us-east-1 if allowed, else eu-west-1.
     */
    static String givenUpRegion(Case c) {
        Set<String> allowed = allowed(c, c.table().name);
        String session = c.sticky() == Sticky.US_EAST ? US_EAST : c.sticky() == Sticky.EU_CENTRAL ? EU_CENTRAL : null;
        if (session != null && allowed.contains(session)) {
            return session;
        }
        return allowed.contains(US_EAST) ? US_EAST : EU_WEST;
    }

    /** Invariant 5 for a write of {@code c} ({@link Door#FUTURE_THEN_COMPOSE}: both its writes). */
    private static void assertStartedPastGivenUpRegion(Case c, String id, Set<String> allowed, Response r) {
        String givenUp = givenUpRegion(c);
        List<String> ids = c.door() == Door.FUTURE_THEN_COMPOSE ? List.of(id, id + "-first") : List.of(id);
        for (String written : ids) {
            String key = "\"S\":\"" + written + "\"";
            assertThat(fixture().journal(givenUp).entries()).as("%s: writes of %s sent to the given-up %s", c, written,
                    givenUp).noneMatch(e -> e.body().filter(b -> b.contains(key)).isPresent());
        }
        assertThat(r.status()).as("%s: the write past the given-up %s: %s", c, givenUp, r.body()).isEqualTo(204);
    }

    static Consumer<HttpHeaders> headers(Case c) {
        return h -> {
            if (c.headers().country != null) {
                h.set("X-Subject-Country", c.headers().country);
            }
            if (c.headers().dataClass != null) {
                h.set("X-Data-Class", c.headers().dataClass);
            }
            if (c.headers().region != null) {
                h.set("X-Meridian-Region", c.headers().region);
            } else if (c.sticky() != Sticky.NONE) {
                h.set("X-Meridian-Region", c.sticky() == Sticky.US_EAST ? US_EAST : EU_CENTRAL);
            }
        };
    }

    /**
     * The first write of the door is refused before anything is sent: {@link Door#FUTURE_THEN_COMPOSE} writes to
     * {@value DoorsFixture#EU_TABLE} first and stops when that fails.
     */
    private static boolean refusedBeforeSending(Case c) {
        if (c.door() == Door.FUTURE_THEN_COMPOSE) {
            return allowed(c, DoorsFixture.EU_TABLE).isEmpty();
        }
        return allowed(c, c.table().name).isEmpty();
    }

    /**
     * The regions a write of this case into {@code table} may reach, by the documented rules: nothing for a malformed
     * request or a header-less one under require-context; the table's replicas for INTERNAL data; for RESTRICTED
     * data (declared, or the table's default, or the configuration's, when the request declares no data class) the
     * subject's jurisdiction's regions when the table replicates only there, else nothing (refused before sending;
     * also when there is no subject).
     */
    static Set<String> allowed(Case c, String table) {
        Headers h = c.headers();
        if (h.malformed() || c.config() == Config.REQUIRE_CONTEXT && h == Headers.ABSENT) {
            return Set.of();
        }
        Table t = table.equals(c.table().name) ? c.table() : Table.EU_ONLY;
        boolean restricted = h.dataClass != null ? h.dataClass.equals("RESTRICTED")
                : t.restrictedByDefault || c.config() == Config.RESTRICTED_BY_DEFAULT;
        if (!restricted) {
            return Set.copyOf(t.replicas);
        }
        Set<String> jurisdiction = h.country == null ? Set.of()
                : h.country.equals("DE") ? Set.copyOf(DoorsFixture.EU) : Set.of(US_EAST);
        return jurisdiction.containsAll(t.replicas) ? Set.copyOf(t.replicas) : Set.of();
    }

    /** Invariants 1 to 4 for the item {@code id} of {@code table}, from the journals; the regions it reached. */
    private static Set<String> assertWritten(Case c, String id, String table, Set<String> allowed) {
        Set<String> reached = new LinkedHashSet<>();
        Set<String> mayHaveApplied = new LinkedHashSet<>();
        for (String region : DoorsFixture.REGIONS) {
            for (RequestJournal.Entry e : DOORS.requestsNaming(region, id)) {
                reached.add(region);
                if (e.operation().equals("PutItem") && e.fault().map(f -> !f.equals("status(503)")).orElse(true)) {
                    mayHaveApplied.add(region);
                }
            }
        }
        assertThat(reached).as("%s: regions item %s of %s reached (allowed %s)", c, id, table, allowed)
                .isSubsetOf(allowed);
        assertThat(mayHaveApplied).as("%s: regions item %s of %s may have been applied in", c, id, table)
                .hasSizeLessThanOrEqualTo(1);
        return reached;
    }
}
