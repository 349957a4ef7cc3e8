package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.acceptance.conditions.AppClient.Maker;
import dev.meridian.testkit.LocalRegions;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * README's and docs/configuration.md's promise for reads (fail over, hedged by default): while one region stays
 * healthy, no read fails — whatever fault the testkit makes in eu-west-1 and, at the same time or not, in
 * eu-central-1 (us-east-1 stays healthy), for every read shape (get, consistent get, query, scan, both paginators,
 * batchGet, transactGet, PartiQL select, a waiter, the Enhanced Client), synchronous or asynchronous, on each HTTP
 * client, built or wrapped, cold or warm; and the read returns the item.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
@AddLifecycleHook(ClientSourcesPerContainer.class)
class ReadsUnderFaultsIT {
    private static final String TABLE = "cond_reads";
    private static final List<String> KEYS = List.of("r-0", "r-1", "r-2");
    private static final LocalRegions regions = LocalRegions.start(Regions3.ALL);
    private static ClientSource clients;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        KEYS.forEach(k -> regions.client(Regions3.LOCAL).putItem(p -> p.tableName(TABLE).item(Shape.key(k))));
        regions.awaitReplication();
        // The documented defaults (hedging on, breakers as configured by default) with shorter attempts, so that a
        // black hole or a lost answer costs a try less than a second.
        clients = ClientSource.shortAttempts(regions, Regions3.config(), TABLE);
    }

    @Provide
    Arbitrary<Shape> reads() {
        return Arbitraries.of(Shape.reads(TABLE));
    }

    @Provide
    Arbitrary<String> keys() {
        return Arbitraries.of(KEYS);
    }

    @Property(tries = 24)
    void noReadFailsWhileOneRegionIsHealthy(@ForAll HttpClientKind http, @ForAll Maker maker, @ForAll boolean cold,
            @ForAll("reads") Shape read, @ForAll("keys") String key, @ForAll Fault local,
            @ForAll Optional<Fault> next) {
        Assume.that(!local.answersNettyWithSuccess(http) && !next.filter(f -> f.answersNettyWithSuccess(http))
                .isPresent());
        AppClient client = clients.client(http, maker, cold);
        local.inject(regions.faults(Regions3.LOCAL));
        next.ifPresent(f -> f.inject(regions.faults(Regions3.NEXT)));

        Object[] answer = new Object[1];
        Throwable thrown = catchThrowable(() -> answer[0] = client.run(read, key));

        assertThat(thrown).as("%s with %s in eu-west-1 and %s in eu-central-1", read, local, next).isNull();
        assertThat(answer[0]).as("%s saw the item", read).isEqualTo(true);
    }

    @Provide
    Arbitrary<Fault> cuts() {
        return Arbitraries.of(Fault.cuts());
    }

    /**
     * An answer cut cleanly mid-body (every client reports it, some only through the answer's CRC32:
     * {@code CleanCutAnswerIT}) never reads as "no item": each HTTP client, built or wrapped, under each framing.
     */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void aCutAnswerNeverReadsAsNoItem(@ForAll HttpClientKind http, @ForAll Maker maker, @ForAll("cuts") Fault cut) {
        AppClient client = clients.client(http, maker, false);
        Shape get = Shape.reads(TABLE).get(0);
        regions.journalsClear();
        cut.inject(regions.faults(Regions3.LOCAL));

        Object[] answer = new Object[1];
        Throwable thrown = catchThrowable(() -> answer[0] = client.run(get, KEYS.get(0)));

        assertThat(thrown).as("%s with %s in eu-west-1", get, cut).isNull();
        assertThat(answer[0]).as("%s saw the item", get).isEqualTo(true);
        assertThat(regions.journal(Regions3.LOCAL).count(get.operation())).as("tried in eu-west-1").isPositive();
    }
}
