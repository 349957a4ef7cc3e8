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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;

/**
 * README's residency promise under faults: a RESTRICTED call of a German subject on a table that replicates only in
 * the EU, with both EU regions failing (any fault the testkit makes, each region its own), fails closed — with the
 * last EU region's own failure while their breakers are closed, {@code NoRegionAvailableException} when none is
 * healthy, {@code ResidencyViolationException} when none is allowed — and nothing reaches us-east-1: every write and
 * read shape, sync and async, each HTTP client, built or wrapped, cold or warm.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
@AddLifecycleHook(ClientSourcesPerContainer.class)
class RestrictedUnderFaultsIT {
    private static final String TABLE = "cond_restricted";
    /** A table in every region, for a warm client's first call in each. */
    private static final String WARM_UP_TABLE = "cond_everywhere";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(Regions3.ALL);
    private static ClientSource clients;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE), List.of(Regions3.LOCAL, Regions3.NEXT));
        regions.createGlobalTable(LocalRegions.pkTable(WARM_UP_TABLE));
        clients = ClientSource.shortAttempts(regions, Regions3.config(), List.of(TableConfig.builder(TABLE)
                .partitionKey("pk").replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build()),
                Shape.reads(WARM_UP_TABLE).get(0));
    }

    @Provide
    Arbitrary<Shape> calls() {
        List<Shape> all = new ArrayList<>(Shape.unguardedWrites(TABLE));
        all.addAll(Shape.reads(TABLE));
        return Arbitraries.of(all);
    }

    @Property(tries = 28)
    void restrictedDataFailsClosedInItsJurisdiction(@ForAll HttpClientKind http, @ForAll Maker maker,
            @ForAll boolean cold, @ForAll("calls") Shape call, @ForAll Fault local, @ForAll Fault next) {
        Assume.that(!local.answersNettyWithSuccess(http) && !next.answersNettyWithSuccess(http));
        AppClient client = clients.client(http, maker, cold);
        String key = "x-" + KEYS.incrementAndGet();
        regions.journalsClear();
        local.inject(regions.faults(Regions3.LOCAL));
        next.inject(regions.faults(Regions3.NEXT));

        Throwable thrown;
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            thrown = catchThrowable(() -> client.run(call, key));
        }

        assertThat(thrown).as("%s with %s and %s in the EU regions", call, local, next)
                .isInstanceOfAny(SdkException.class, NoRegionAvailableException.class,
                        ResidencyViolationException.class);
        assertThat(regions.journal(Regions3.OUTSIDE).entries()).as("nothing sent outside the EU (thrown %s)", thrown)
                .isEmpty();
    }
}
