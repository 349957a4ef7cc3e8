package dev.meridian.spring.doors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.health.RegionStatus;
import dev.meridian.spring.doors.DoorInvariantProperties.Case;
import dev.meridian.spring.doors.DoorInvariantProperties.Config;
import dev.meridian.spring.doors.DoorInvariantProperties.Headers;
import dev.meridian.spring.doors.DoorInvariantProperties.Sticky;
import dev.meridian.spring.doors.DoorInvariantProperties.Table;
import dev.meridian.spring.doors.DoorsFixture.Apps;
import dev.meridian.spring.doors.DoorsFixture.ReadResponse;
import dev.meridian.testkit.RequestJournal;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The residency invariant at every Spring door for READS, over the paths issue 19 added: a synchronous read's first
 * attempt on the caller's thread released by a winning hedge, reads starting past a SUSPECT region, refused hedges
 * asked again. A random {@link Door} × {@link DoorReads.Shape read shape} (sync {@code GetItem}, a {@code Query}
 * through the paginator, async {@code GetItem}) × routing headers × configuration × table (the same generators as
 * {@link DoorInvariantProperties}) × a fault (none, eu-west-1 refusing connections, eu-central-1 answering 500; the
 * local region us-east-1, or eu-west-1 where a German subject's RESTRICTED reads start, black-holed for the read — its
 * hedge answers —, or black-holed until the runtime gave it up — suspect or ejected — before the read). Each try
 * reads one item with a unique id, seeded in every region before the try; the regions' request journals (which keep
 * request bodies here) are the witness:
 * <ol>
 *   <li>the read, its hedges, its attempts moved past a suspect region and its detached trials reach no region
 *       outside {@link DoorInvariantProperties#allowed the regions the documented rules allow} (nothing when
 *       the read is refused before sending);</li>
 *   <li>the answer is right: 400 for malformed headers, 403 when no region is allowed, else 200 with the seeded
 *       value (or a 500/503 when every allowed region is faulted now or was ejected by a previous try's fault);</li>
 *   <li>the thread that read was not interrupted when the read started nor after it returned, and saw the request's
 *       own routing context (subject, session region), not a previous request's: a pooled thread that made a released
 *       caller-first read serves later requests of other tries.
 *       {@link #aReleasedCallerFirstReadLeavesItsPooledThreadClean} follows one such thread to its next request.</li>
 * </ol>
 * Two classes over the same two families of doors as the write properties, each with a fixture of its own, so that
 * two failsafe forks run them side by side.
 */
abstract class DoorReadProperties {
    private static final String EU_WEST = "eu-west-1";
    private static final String EU_CENTRAL = "eu-central-1";
    private static final String US_EAST = "us-east-1";
    /** Follow-up requests, at most, until one lands on a given pooled thread (Tomcat keeps 10 spare threads). */
    private static final int MAX_FOLLOW_UPS = 60;

    private static final DoorPropertyFixture DOORS = new DoorPropertyFixture();

    private final Set<Door> doors;
    private final Door pooled;

    /** The slice: the doors this class's tries go through; {@code pooled} is the one whose thread is followed. */
    DoorReadProperties(Set<Door> doors, Door pooled) {
        this.doors = doors;
        this.pooled = pooled;
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

    /** A fault for the duration of the try. */
    enum ReadFault {
        NONE(null), EU_WEST_REFUSED(EU_WEST), EU_CENTRAL_500(EU_CENTRAL),
        /**
         * The local region black-holed, its health reset first (a previous try may have left it suspect or ejected):
         * a read whose plan starts there leaves its first attempt there unanswered and its hedge answers.
         */
        US_EAST_BLACKHOLE(US_EAST),
        /** The local region black-holed until the runtime gave it up (suspect or ejected), then the read. */
        US_EAST_GIVEN_UP(US_EAST),
        /** As {@link #US_EAST_BLACKHOLE} in eu-west-1, where a German subject's RESTRICTED reads start. */
        EU_WEST_BLACKHOLE(EU_WEST),
        /** As {@link #US_EAST_GIVEN_UP} in eu-west-1: such reads start in eu-central-1, never in us-east-1. */
        EU_WEST_GIVEN_UP(EU_WEST);

        /** The region the fault is in, if any. */
        final String faulted;

        ReadFault(String faulted) {
            this.faulted = faulted;
        }

        boolean blackhole() {
            return this == US_EAST_BLACKHOLE || this == US_EAST_GIVEN_UP || this == EU_WEST_BLACKHOLE
                    || this == EU_WEST_GIVEN_UP;
        }
    }

    @Provide
    Arbitrary<Door> doors() {
        return Arbitraries.of(doors);
    }

    /**
     * Headers that let some region be read (a German subject, INTERNAL data) more often than those that are refused
     * whatever the table (a US subject's RESTRICTED data) or malformed: most tries should reach a region.
     */
    @Provide
    Arbitrary<Headers> headers() {
        return Arbitraries.frequency(Tuple.of(4, Headers.DE_RESTRICTED), Tuple.of(3, Headers.DE_SUBJECT_ONLY),
                Tuple.of(2, Headers.US_RESTRICTED), Tuple.of(2, Headers.US_SUBJECT_ONLY),
                Tuple.of(4, Headers.DE_INTERNAL), Tuple.of(3, Headers.ABSENT),
                Tuple.of(1, Headers.MALFORMED_DATA_CLASS), Tuple.of(1, Headers.MALFORMED_COUNTRY),
                Tuple.of(1, Headers.UNKNOWN_REGION));
    }

    /** The table only German subjects' RESTRICTED data may be read from twice as often as each other. */
    @Provide
    Arbitrary<Table> tables() {
        return Arbitraries.frequency(Tuple.of(1, Table.EVERYWHERE), Tuple.of(2, Table.EU_ONLY),
                Tuple.of(1, Table.RESTRICTED_DEFAULT));
    }

    @Property(tries = 60)
    void readsStayInTheAllowedRegionsOnEveryPathAndAnswerTheSeededItem(@ForAll("doors") Door door,
            @ForAll DoorReads.Shape shape, @ForAll("headers") Headers headers, @ForAll Sticky sticky,
            @ForAll Config config, @ForAll("tables") Table table, @ForAll ReadFault fault) {
        Case c = new Case(door, headers, sticky, config, table, DoorInvariantProperties.Fault.NONE);
        String what = door + " " + headers + " " + sticky + " " + config + " " + table + " " + shape + " " + fault;
        Apps apps = apps(config);
        Set<String> allowed = DoorInvariantProperties.allowed(c, table.name);
        // A previous try's fault may have left an allowed region ejected (its breaker waits 10 s in the open state).
        Set<String> ejected = allowed.stream()
                .filter(region -> apps.status(door.type(), region).breaker() != RegionStatus.BreakerState.CLOSED)
                .collect(Collectors.toSet());
        String id = UUID.randomUUID().toString();
        fixture().seed(table.name, id);
        fixture().clearJournals();
        ReadResponse r;
        try {
            Statistics.label("black-holed region when read").collect(inject(apps, door, fault));
            r = apps.read(door, table.name, id, shape, DoorInvariantProperties.headers(c));
        } finally {
            fixture().healAll();
        }

        Set<String> reached = reached(id);
        Statistics.label("answer").collect(r.status());
        Statistics.label("regions reached").collect(reached.size());
        assertThat(reached).as("%s: regions the read of %s reached (allowed %s)", what, id, allowed)
                .isSubsetOf(allowed);
        if (headers.malformed()) {
            assertThat(r.status()).as("%s: %s", what, r.body()).isEqualTo(400);
        } else if (allowed.isEmpty()) {
            assertThat(r.status()).as("%s: %s", what, r.body()).isEqualTo(403);
        } else if (allowed.stream().allMatch(region -> region.equals(fault.faulted) || ejected.contains(region))) {
            // Every allowed region faulted now or ejected before: a clear failure is right too.
            Statistics.label("no usable allowed region").collect(r.status());
            assertThat(r.status()).as("%s: %s", what, r.body()).isIn(200, 500, 503);
            if (r.status() == 200) {
                assertThat(r.body()).as(what).isEqualTo(DoorsFixture.value(id));
            }
        } else {
            assertThat(r.status()).as("%s: %s", what, r.body()).isEqualTo(200);
            assertThat(r.body()).as(what).isEqualTo(DoorsFixture.value(id));
            assertCleanThread(what, r, c);
        }
    }

    /**
     * A synchronous read through {@link #pooled}'s pooled thread whose first attempt (on that thread) is black-holed
     * and released by its winning hedge; then requests without routing headers until one is served by that thread:
     * it is not interrupted, sees no routing context, and its read starts in the local region (the first read's
     * session region was eu-central-1 and its subject German: a leaked context would start it there, or refuse it).
     */
    @Example
    void aReleasedCallerFirstReadLeavesItsPooledThreadClean() {
        Apps apps = apps(Config.NOTHING);
        apps.runtime(pooled.type()).resetHealth();
        Case released = new Case(pooled, Headers.DE_RESTRICTED, Sticky.EU_CENTRAL, Config.NOTHING, Table.EU_ONLY,
                DoorInvariantProperties.Fault.NONE);
        String id = UUID.randomUUID().toString();
        fixture().seed(Table.EU_ONLY.name, id);
        fixture().clearJournals();
        ReadResponse first;
        try {
            fixture().regionFaults(EU_CENTRAL).blackhole();
            first = apps.read(pooled, Table.EU_ONLY.name, id, DoorReads.Shape.GET,
                    DoorInvariantProperties.headers(released));
        } finally {
            fixture().healAll();
        }
        assertThat(first.status()).as("the released read: %s", first.body()).isEqualTo(200);
        assertCleanThread("the released read", first, released);
        assertThat(reached(id)).as("the released read's regions: its first attempt and its hedge")
                .containsExactlyInAnyOrder(EU_CENTRAL, EU_WEST);
        String thread = first.seen(DoorReads.THREAD);

        Case next = new Case(pooled, Headers.ABSENT, Sticky.NONE, Config.NOTHING, Table.EVERYWHERE,
                DoorInvariantProperties.Fault.NONE);
        for (int i = 0; i < MAX_FOLLOW_UPS; i++) {
            String nextId = UUID.randomUUID().toString();
            fixture().seed(Table.EVERYWHERE.name, nextId);
            ReadResponse r = apps.read(pooled, Table.EVERYWHERE.name, nextId, DoorReads.Shape.GET,
                    DoorInvariantProperties.headers(next));
            assertThat(r.status()).as("follow-up %d: %s", i, r.body()).isEqualTo(200);
            assertCleanThread("follow-up " + i, r, next);
            if (thread.equals(r.seen(DoorReads.THREAD))) {
                assertThat(firstRegion(nextId)).as("where the next read on %s started", thread).contains(US_EAST);
                return;
            }
        }
        throw new AssertionError("no follow-up request was served by " + thread + " in " + MAX_FOLLOW_UPS);
    }

    private Apps apps(Config config) {
        return DOORS.apps(config, doors);
    }

    /** Injects the fault; what the door's runtime then says of the black-holed region. */
    private static String inject(Apps apps, Door door, ReadFault fault) {
        switch (fault) {
            case EU_WEST_REFUSED -> fixture().regionFaults(EU_WEST).down();
            case EU_CENTRAL_500 -> fixture().regionFaults(EU_CENTRAL).status(500);
            case US_EAST_BLACKHOLE, EU_WEST_BLACKHOLE -> {
                apps.runtime(door.type()).resetHealth();
                fixture().regionFaults(fault.faulted).blackhole();
            }
            case US_EAST_GIVEN_UP, EU_WEST_GIVEN_UP ->
                    fixture().blackholeUntilGivenUp(apps, door.type(), fault.faulted);
            default -> { }
        }
        if (!fault.blackhole()) {
            return "none";
        }
        RegionStatus s = apps.status(door.type(), fault.faulted);
        return fault.faulted + " " + (s.suspect() ? "suspect" : s.breaker().toString());
    }

    /** Invariant 3 for a 200. */
    private static void assertCleanThread(String what, ReadResponse r, Case c) {
        assertThat(r.seen(DoorReads.INTERRUPTED)).as("%s: interrupted before, after the read on %s", what,
                r.seen(DoorReads.THREAD)).isEqualTo("false,false");
        assertThat(r.seen(DoorReads.SUBJECT)).as("%s: the subject the reading thread saw", what)
                .isEqualTo(c.headers().country == null ? "-" : c.headers().country);
        String session = c.sticky() == Sticky.NONE ? "-" : c.sticky() == Sticky.US_EAST ? US_EAST : EU_CENTRAL;
        assertThat(r.seen(DoorReads.PREFERRED)).as("%s: the session region the reading thread saw", what)
                .isEqualTo(session);
    }

    /** The regions whose journal has a request naming item {@code id}. */
    private static Set<String> reached(String id) {
        Set<String> reached = new LinkedHashSet<>();
        for (String region : DoorsFixture.REGIONS) {
            if (!entries(region, id).isEmpty()) {
                reached.add(region);
            }
        }
        return reached;
    }

    /** The region that received the first request naming item {@code id}. */
    private static Optional<String> firstRegion(String id) {
        return DoorsFixture.REGIONS.stream().filter(r -> !entries(r, id).isEmpty())
                .min(Comparator.comparing(r -> entries(r, id).get(0).time()));
    }

    private static List<RequestJournal.Entry> entries(String region, String id) {
        return DOORS.requestsNaming(region, id);
    }
}
