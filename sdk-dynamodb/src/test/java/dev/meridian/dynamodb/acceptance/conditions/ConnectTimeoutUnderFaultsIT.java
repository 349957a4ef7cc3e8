package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.acceptance.conditions.AppClient.Maker;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;

/**
 * docs/exactly-once.md's "connect timeout" under a real one: eu-west-1 (the local region) black-holes new connections
 * ({@code RegionFaults.connectBlackhole()}: its port listens, the kernel drops every SYN), so a client that has to
 * connect runs into its HTTP client's connect timeout (Apache's and Netty's {@code ConnectTimeoutException},
 * URL-connection's "Connect timed out") or, on Netty, the connection-acquire timeout docs/configuration.md asks for.
 * Nothing was sent: {@code REGIONAL_NOT_APPLIED}. So every write shape (PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem, TransactWriteItems), unguarded, moves and is applied exactly once in eu-central-1 (journals as
 * witness); RESTRICTED data with no other permitted region fails closed, nothing sent to us-east-1; reads are answered
 * by another region. Each HTTP client, built or wrapped, cold (a new runtime and per-region clients, which must
 * connect; their first attempt has the first-attempt budget, so the HTTP client's connect timeout ends it). A warm
 * client under the documented defaults is another matter
 * ({@link #aWarmClientsWriteUnderAConnectBlackholeIsAppliedAtMostOnce}).
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
@AddLifecycleHook(ClientSourcesPerContainer.class)
class ConnectTimeoutUnderFaultsIT {
    private static final String TABLE = "cond_connect";
    private static final String RESTRICTED_TABLE = "cond_connect_eu";
    /** The per-region clients of the READMEs' factory: {@code RegionalClientDefaults.overrideConfiguration()}. */
    private static final Duration DOCUMENTED_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    /** The write shapes of the brief: one of each write operation, none guarded. */
    private static final Set<String> WRITE_OPERATIONS =
            Set.of("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems");
    private static final String READ_KEY = "r-0";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(Regions3.ALL);
    private static ClientSource documented;
    private static ClientSource restricted;
    private static ClientSource shortConnects;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(RESTRICTED_TABLE), List.of(Regions3.LOCAL, Regions3.NEXT));
        regions.client(Regions3.LOCAL).putItem(p -> p.tableName(TABLE).item(Shape.key(READ_KEY)));
        regions.awaitReplication();
        Shape warmUp = Shape.reads(TABLE).get(0);
        documented = new ClientSource(regions, Regions3.config().health(Regions3.breakersThatStayClosed()).build(),
                DOCUMENTED_ATTEMPT_TIMEOUT, AppClient.pkTable(TABLE), warmUp);
        shortConnects = new ClientSource(regions,
                Regions3.config().health(Regions3.breakersThatStayClosed()).build(), DOCUMENTED_ATTEMPT_TIMEOUT,
                DOCUMENTED_ATTEMPT_TIMEOUT.dividedBy(4), AppClient.pkTable(TABLE), warmUp);
        restricted = new ClientSource(regions, Regions3.config().build(), DOCUMENTED_ATTEMPT_TIMEOUT,
                List.of(TableConfig.builder(RESTRICTED_TABLE).partitionKey("pk")
                        .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build()), warmUp);
    }

    @Provide
    Arbitrary<Shape> writes() {
        return Arbitraries.of(writeShapes(TABLE));
    }

    @Provide
    Arbitrary<Shape> restrictedWrites() {
        return Arbitraries.of(writeShapes(RESTRICTED_TABLE));
    }

    @Provide
    Arbitrary<Shape> reads() {
        return Arbitraries.of(Shape.reads(TABLE));
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void aWriteWhoseConnectTimesOutMovesAndIsAppliedExactlyOnceInTheNextRegion(@ForAll HttpClientKind http,
            @ForAll Maker maker, @ForAll("writes") Shape write) {
        AppClient client = documented.client(http, maker, true);
        String key = "w-" + KEYS.incrementAndGet();
        regions.journalsClear();
        regions.faults(Regions3.LOCAL).connectBlackhole();

        Throwable thrown = catchThrowable(() -> client.run(write, key));

        assertThat(thrown).as("%s on %s after a connect timeout in eu-west-1", write, client).isNull();
        assertThat(regions.journal(Regions3.LOCAL).isEmpty()).as("nothing reached eu-west-1").isTrue();
        assertThat(applied(Regions3.NEXT, write)).as("applied once in eu-central-1: %s", journals()).isEqualTo(1);
        assertThat(applied(Regions3.OUTSIDE, write)).as("never in us-east-1: %s", journals()).isZero();
    }

    /**
     * A warm client must connect again too (the fault closed its pooled connections), but its attempt has the
     * documented 2 s, no first-attempt budget: the synchronous HTTP clients' connect timeout (the SDK's default, 2 s)
     * is not shorter, so the SDK's call timeout ends the call first, {@code ApiCallTimeoutException} with no cause —
     * ambiguous, so the unguarded write is rethrown, although nothing was sent (seen on every Apache and URL-connection
     * try). Netty's acquire timeout (half the attempt) ends it as nothing sent, and it moves — when that timeout fires
     * in time: on a fully loaded 2-core machine (a whole build beside it) the event loop ran it after the call timeout
     * once, and the write was rethrown as ambiguous. Either way it is never applied twice, which is what this checks.
     */
    @Property(tries = 12)
    void aWarmClientsWriteUnderAConnectBlackholeIsAppliedAtMostOnce(@ForAll HttpClientKind http,
            @ForAll Maker maker, @ForAll("writes") Shape write) {
        AppClient client = documented.client(http, maker, false);
        String key = "ww-" + KEYS.incrementAndGet();
        regions.journalsClear();
        regions.faults(Regions3.LOCAL).connectBlackhole();

        Throwable thrown = catchThrowable(() -> client.run(write, key));

        assertThat(regions.journal(Regions3.LOCAL).isEmpty()).as("nothing reached eu-west-1").isTrue();
        assertThat(applied(Regions3.OUTSIDE, write)).as("never in us-east-1: %s", journals()).isZero();
        if (thrown == null) {
            assertThat(thrown).as("%s on %s after a connect timeout in eu-west-1", write, client).isNull();
            assertThat(applied(Regions3.NEXT, write)).as("applied once in eu-central-1: %s", journals())
                    .isEqualTo(1);
        } else {
            assertThat(thrown).as("%s on %s", write, client).isInstanceOf(SdkException.class);
            assertThat(applied(Regions3.NEXT, write)).as("not moved after an ambiguous failure: %s", journals())
                    .isZero();
        }
    }

    /**
     * The same warm synchronous clients with their HTTP client's connect timeout at a quarter of the attempt timeout:
     * both SDK attempts ({@code RegionalClientDefaults.MAX_ATTEMPTS}; a connect timeout is retried) and the back-off
     * between them end within the call timeout (the attempt timeout), so the call ends with the connect timeout,
     * nothing sent, and the write moves and is applied once in eu-central-1. (At half the attempt timeout the second
     * attempt's connect still outlasts the call timeout: {@code ApiCallTimeoutException}, rethrown, seen on the first
     * try.)
     */
    @Property(tries = 16)
    void aWarmSyncClientWhoseConnectTimeoutIsShorterThanItsAttemptMovesTheWrite(@ForAll HttpClientKind http,
            @ForAll Maker maker, @ForAll("writes") Shape write) {
        Assume.that(!http.async());
        AppClient client = shortConnects.client(http, maker, false);
        String key = "wc-" + KEYS.incrementAndGet();
        regions.journalsClear();
        regions.faults(Regions3.LOCAL).connectBlackhole();

        Throwable thrown = catchThrowable(() -> client.run(write, key));

        assertThat(thrown).as("%s on %s after a connect timeout in eu-west-1", write, client).isNull();
        assertThat(regions.journal(Regions3.LOCAL).isEmpty()).as("nothing reached eu-west-1").isTrue();
        assertThat(applied(Regions3.NEXT, write)).as("applied once in eu-central-1: %s", journals()).isEqualTo(1);
        assertThat(applied(Regions3.OUTSIDE, write)).as("never in us-east-1: %s", journals()).isZero();
    }

    /**
     * README's residency promise: a RESTRICTED write of a German subject on a table that replicates only in the EU
     * moves from a connect-timed-out eu-west-1 to eu-central-1 only, and fails closed when eu-central-1's connects
     * time out too: never sent to us-east-1. A wrapped client, which knows no {@code replicaRegions}, may fail closed
     * already when eu-west-1 cannot answer its {@code DescribeTable} (sdk-dynamodb README: the footprint is then every
     * configured region).
     */
    @Property(tries = 12)
    void restrictedDataMovesWithinItsJurisdictionOrFailsClosed(@ForAll HttpClientKind http, @ForAll Maker maker,
            @ForAll("restrictedWrites") Shape write, @ForAll boolean nextBlackholedToo) {
        AppClient client = restricted.client(http, maker, true);
        String key = "x-" + KEYS.incrementAndGet();
        regions.journalsClear();
        regions.faults(Regions3.LOCAL).connectBlackhole();
        if (nextBlackholedToo) {
            regions.faults(Regions3.NEXT).connectBlackhole();
        }

        Throwable thrown;
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            thrown = catchThrowable(() -> client.run(write, key));
        }

        if (nextBlackholedToo || maker == Maker.WRAPPED && thrown instanceof ResidencyViolationException) {
            // A wrapped client knows no replicaRegions: a footprint it cannot read is every configured region.
            assertThat(thrown).as("%s on %s, eu-central-1 %s", write, client,
                    nextBlackholedToo ? "black-holed too" : "healthy").isInstanceOfAny(SdkException.class,
                    NoRegionAvailableException.class, ResidencyViolationException.class);
            assertThat(applied(Regions3.NEXT, write)).as("applied nowhere: %s", journals()).isZero();
        } else {
            assertThat(thrown).as("%s on %s after a connect timeout in eu-west-1", write, client).isNull();
            assertThat(applied(Regions3.NEXT, write)).as("applied once in eu-central-1: %s", journals()).isEqualTo(1);
        }
        assertThat(regions.journal(Regions3.LOCAL).isEmpty()).as("nothing reached eu-west-1").isTrue();
        assertThat(regions.journal(Regions3.OUTSIDE).entries()).as("nothing sent outside the EU (thrown %s)", thrown)
                .isEmpty();
    }

    /** A read whose connect to eu-west-1 times out is answered by another region, with the item. */
    @Property(tries = 12)
    void aReadWhoseConnectTimesOutIsAnsweredByAnotherRegion(@ForAll HttpClientKind http, @ForAll Maker maker,
            @ForAll("reads") Shape read) {
        AppClient client = documented.client(http, maker, true);
        regions.faults(Regions3.LOCAL).connectBlackhole();

        Object[] answer = new Object[1];
        Throwable thrown = catchThrowable(() -> answer[0] = client.run(read, READ_KEY));

        assertThat(thrown).as("%s on %s after a connect timeout in eu-west-1", read, client).isNull();
        assertThat(answer[0]).as("%s saw the item", read).isEqualTo(true);
    }

    private static List<Shape> writeShapes(String table) {
        return Shape.unguardedWrites(table).stream().filter(s -> WRITE_OPERATIONS.contains(s.operation()))
                .filter(s -> !s.name().contains("no guard")).toList();
    }

    private static long applied(String region, Shape write) {
        return WriteJournals.applied(regions, region, write);
    }

    private static String journals() {
        return WriteJournals.describe(regions);
    }
}
