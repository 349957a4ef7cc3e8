package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.LocalRegionsPerContainer;
import dev.meridian.dynamodb.TestRegions;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.testkit.LocalRegions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ExecuteStatementRequest;

/**
 * sdk-dynamodb README, "Residency": "a table's replica footprint ... reaching outside the regions RESTRICTED data may
 * touch is refused before anything is sent" — for PartiQL statements too, whatever the whitespace, quoting, case and
 * comments a user writes between the keyword and the table name. A jqwik property, exhaustive over statement
 * spellings. Failed before the fix: {@code INSERT INTO"pq_world" VALUE {...}} (accepted by DynamoDB) was sent under a
 * RESTRICTED context to a table replicating to us-east-1, its table not read, so its footprint not checked.
 */
@AddLifecycleHook(LocalRegionsPerContainer.class)
class PartiqlResidencyIT {
    private static final String WORLD = "pq_world";
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static final LocalRegions regions = LocalRegions.start(TestRegions.IDS);
    private static DynamoDbClient client;

    @BeforeContainer
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable(WORLD));
        client = MultiRegionDynamoDb.builder().config(TestRegions.config())
                .table(TableConfig.builder(WORLD).partitionKey("pk")
                        .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1).build())
                .clientFactory(r -> TestRegions.client(regions, r)).build();
    }

    @AfterContainer
    static void stop() {
        if (client != null) {
            client.close();
        }
    }

    @Provide
    Arbitrary<String> separators() {
        return Arbitraries.of(" ", "", "\n\t", " /* note */ ", " -- note\r\n");
    }

    @Provide
    Arbitrary<String> statements() {
        return Arbitraries.of("INSERT INTO%s%s VALUE {'pk': '%s'}", "insert into%s%s value {'pk': '%s'}",
                "UPDATE%s%s SET v = 1 WHERE pk = '%s'", "DELETE FROM%s%s WHERE pk = '%s'",
                "SELECT * FROM%s%s WHERE pk = '%s'");
    }

    /** Only statements DynamoDB itself accepts count: each spelling is first run without a context (INTERNAL). */
    @Property(tries = 50)
    void aRestrictedPartiqlStatementOnATableReplicatingOutsideTheJurisdictionIsRefused(
            @ForAll("statements") String form, @ForAll("separators") String separator, @ForAll boolean quoted) {
        String table = quoted ? '"' + WORLD + '"' : WORLD;
        String sql = String.format(form, separator, table, "k-" + KEYS.incrementAndGet());
        Throwable plain = catchThrowable(() -> client.executeStatement(ExecuteStatementRequest.builder()
                .statement(sql).build()));
        if (plain instanceof DynamoDbException && !(plain instanceof ConditionalCheckFailedException)) {
            return;   // DynamoDB refuses this spelling (a ValidationException): nothing could be written
        }
        assertThat(plain).as(sql).satisfiesAnyOf(t -> assertThat(t).isNull(),
                t -> assertThat(t).isInstanceOf(ConditionalCheckFailedException.class));
        regions.journalsClear();
        try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE").dataClass(DataClass.RESTRICTED)
                .open()) {
            Throwable refused = catchThrowable(() -> client.executeStatement(ExecuteStatementRequest.builder()
                    .statement(sql).build()));
            assertThat(refused).as(sql).isInstanceOf(ResidencyViolationException.class);
        }
        for (String r : List.of(TestRegions.IDS)) {
            assertThat(regions.journal(r).count("ExecuteStatement")).as(sql + " sent to " + r).isZero();
        }
    }
}
