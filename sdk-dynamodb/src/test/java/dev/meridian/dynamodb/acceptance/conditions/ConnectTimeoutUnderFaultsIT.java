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
import dev.meridian.testkit.RequestJournal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
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
 * by another region. Each HTTP client, built or wrapped; the clients are cold (a new runtime and per-region clients),
 * the client that must connect: the fault closes the proxy's open connections, so a warm client's pooled connection
 * would fail as after a server restart, a fault of its own.
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
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(Regions3.ALL);
    private static ClientSource documented;
    private static ClientSource restricted;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.createGlobalTable(LocalRegions.pkTable(RESTRICTED_TABLE), List.of(Regions3.LOCAL, Regions3.NEXT));
        Shape warmUp = Shape.reads(TABLE).get(0);
        documented = new ClientSource(regions, Regions3.config().health(Regions3.breakersThatStayClosed()).build(),
                DOCUMENTED_ATTEMPT_TIMEOUT, AppClient.pkTable(TABLE), warmUp);
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

    private static List<Shape> writeShapes(String table) {
        return Shape.unguardedWrites(table).stream().filter(s -> WRITE_OPERATIONS.contains(s.operation()))
                .filter(s -> !s.name().contains("no guard")).toList();
    }

    /** Requests of the write's operation that reached the region's DynamoDB Local (not answered by a fault). */
    private static long applied(String region, Shape write) {
        return regions.journal(region).entries().stream()
                .filter(e -> e.operation().equals(write.operation()) && !e.faulted()).count();
    }

    private static String journals() {
        StringBuilder s = new StringBuilder();
        for (String r : Regions3.ALL) {
            RequestJournal j = regions.journal(r);
            s.append(r).append('=').append(j.entries()).append(' ');
        }
        return s.toString();
    }
}
