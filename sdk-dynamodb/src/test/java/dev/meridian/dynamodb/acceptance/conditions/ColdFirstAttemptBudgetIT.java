package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.dynamodb.acceptance.conditions.AppClient.Maker;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RegionFaults;
import dev.meridian.testkit.RequestJournal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/configuration.md's first-attempt budget ({@code MERIDIAN_FIRST_ATTEMPT_TIMEOUT}, 10 s by default) with each HTTP
 * client an application can give its per-region clients, made by its documented factory
 * ({@code RegionalClientDefaults.overrideConfiguration()}: 2 s attempts) and routed by {@code MultiRegionDynamoDb}
 * or {@code wrapClient}: a cold client's first call, a write into a local region that answers after 2.5 s, is
 * answered there — not timed out at the client's 2 s, not sent to another region. The same for an async client whose
 * first connection takes longer than its Netty connection-acquire timeout (docs/configuration.md, "Async per-region
 * clients on Netty"): the acquire timeout is asked again within the budget, and the write is answered in its region.
 */
@LocalRegionsConfig
class ColdFirstAttemptBudgetIT {
    private static final String TABLE = "cond_cold";
    private static final Duration SLOWER_THAN_AN_ATTEMPT = RegionalClientDefaults.ATTEMPT_TIMEOUT.plusMillis(500);
    static LocalRegions regions;

    @BeforeAll
    static void table() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    static Stream<Arguments> clients() {
        return AppClient.everyClient();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("clients")
    void aColdClientsFirstWriteHasTheFirstAttemptBudget(HttpClientKind http, Maker maker) {
        Shape put = Shape.unguardedWrites(TABLE).get(0);
        regions.faults(Regions3.LOCAL).latency(SLOWER_THAN_AN_ATTEMPT);
        try (AppClient client = AppClient.make(regions, Regions3.config().build(), http, maker,
                RegionalClientDefaults.ATTEMPT_TIMEOUT, AppClient.pkTable(TABLE))) {
            client.run(put, "cold-" + http + "-" + maker);
        }
        assertThat(regions.journal(Regions3.LOCAL).count("PutItem")).as("answered in eu-west-1, once").isEqualTo(1);
        // A wrapped client knows no TableConfig: its DescribeTable is a read, which may be hedged to the next region.
        assertThat(Stream.of(Regions3.NEXT, Regions3.OUTSIDE).flatMap(r -> regions.journal(r).entries().stream())
                .map(RequestJournal.Entry::operation)).as("the write was sent nowhere else")
                .allMatch("DescribeTable"::equals);
    }

    /**
     * A cold Netty client's first connect waits for the kernel's SYN retransmission (~1 s: the testkit drops the first
     * SYN, {@code connectBlackhole()}, and heals once it has), twice the client's 500 ms acquire timeout (a 1 s attempt
     * timeout): the acquire times out with nothing sent, and is asked again in the same region.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Maker.class)
    void aColdNettyClientsFirstConnectSlowerThanItsAcquireTimeoutIsAnsweredInItsRegion(Maker maker) {
        Shape put = Shape.unguardedWrites(TABLE).get(0);
        RegionFaults local = regions.faults(Regions3.LOCAL).connectBlackhole();
        try (AppClient client = AppClient.make(regions, Regions3.config().build(), HttpClientKind.NETTY_ASYNC, maker,
                Duration.ofSeconds(1), AppClient.pkTable(TABLE))) {
            CompletableFuture<Object> write = CompletableFuture.supplyAsync(() -> client.run(put, "slow-" + maker));
            await().atMost(Duration.ofSeconds(30)).until(() -> local.waitingConnects() > 0 || write.isDone());
            local.heal();
            write.join();
        }
        assertThat(regions.journal(Regions3.LOCAL).count("PutItem")).as("answered in eu-west-1, once").isEqualTo(1);
        assertThat(Stream.of(Regions3.NEXT, Regions3.OUTSIDE).flatMap(r -> regions.journal(r).entries().stream())
                .map(RequestJournal.Entry::operation)).as("the write was sent nowhere else")
                .allMatch("DescribeTable"::equals);
    }
}
