package dev.meridian.testkit;

import static dev.meridian.testkit.TestTables.get;
import static dev.meridian.testkit.TestTables.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

@LocalRegionsConfig(regions = {"eu-west-1", "us-east-1"})
class RequestJournalIT {

    private static final String EU = "eu-west-1";
    private static final String US = "us-east-1";
    private static final String TABLE = "journal";

    @BeforeAll
    static void createTable(LocalRegions regions) {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
    }

    @Test
    void getItemToOneRegionAppearsOnlyInThatRegionsJournal(LocalRegions regions) {
        Instant before = Instant.now();

        get(regions.client(EU), TABLE, "k");

        assertThat(regions.journal(EU).entries()).singleElement().satisfies(entry -> {
            assertThat(entry.operation()).isEqualTo("GetItem");
            assertThat(entry.table()).contains(TABLE);
            assertThat(entry.time()).isAfterOrEqualTo(before);
            assertThat(entry.faulted()).isFalse();
        });
        assertThat(regions.journal(US).isEmpty()).isTrue();
    }

    @Test
    void replicatorTrafficNeverAppearsInAJournal(LocalRegions regions) {
        put(regions.client(EU), TABLE, "replicated", "v", "1");

        regions.awaitReplication();

        assertThat(regions.journal(EU).count()).isEqualTo(1);
        assertThat(regions.journal(EU).count("PutItem")).isEqualTo(1);
        assertThat(regions.journal(US).isEmpty()).isTrue();
        assertThat(get(regions.client(US), TABLE, "replicated")).containsKey("v");
    }

    @Test
    void faultedRequestsAreRecordedWithTheirFault(LocalRegions regions) {
        regions.faults(US).only("PutItem").status(503);

        assertThatThrownBy(() -> put(regions.client(US), TABLE, "k", "v", "1")).isInstanceOf(DynamoDbException.class);

        assertThat(regions.journal(US).entries()).isNotEmpty()
                .allSatisfy(entry -> {
                    assertThat(entry.operation()).isEqualTo("PutItem");
                    assertThat(entry.fault()).contains("status(503)");
                });
        assertThat(regions.journal(EU).isEmpty()).isTrue();
    }

    @Test
    void journalsStartEmptyInEveryTest(LocalRegions regions) {
        assertThat(regions.journal(EU).isEmpty()).isTrue();
        assertThat(regions.journal(US).isEmpty()).isTrue();
    }

    @Nested
    class NestedTests {
        @Test
        void nestedClassesShareTheOuterRegions(LocalRegions regions) {
            assertThat(regions.regions()).containsExactly(EU, US);
            get(regions.client(US), TABLE, "k");
            assertThat(regions.journal(US).count("GetItem")).isEqualTo(1);
        }
    }
}
