package dev.meridian.spring.sessionstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionSpec;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.residency.DataClass;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.spring.MeridianDynamoDbSessionRepository;
import dev.meridian.spring.MeridianDynamoDbSessionRepository.RegionalSession;
import dev.meridian.spring.SessionNotReadableException;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RegionFaults;
import dev.meridian.testkit.RequestJournal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The session store's promises under each way a session region fails (refused, black hole, throttled, slow beyond the
 * attempt timeout: applied, answer lost), with replication caught up or partitioned, RESTRICTED sessions (German
 * subject) on a table declared EU-only. Each round saves the session, breaks its region, reads and saves again. The
 * request journals are the witness: no session request in us-east-1, every session write sent anywhere is
 * conditional; and after healing every region holds the last acknowledged version. No read is stale.
 */
@LocalRegionsConfig(replicationDelayMillis = 200)
class SessionStoreFaultsIT {
    private static final String TABLE = "eu-sessions";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(800);
    private static final int ROUNDS = Integer.getInteger("meridian.sessionstore.faultRounds", 4);
    private static LocalRegions regions;

    /** How the session's region fails. */
    enum Fault {
        REFUSED(RegionFaults::down),
        BLACK_HOLE(RegionFaults::blackhole),
        THROTTLED(RegionFaults::throttle),
        SLOW(f -> f.latency(ATTEMPT_TIMEOUT.multipliedBy(3)));

        final Consumer<RegionFaults> inject;

        Fault(Consumer<RegionFaults> inject) {
            this.inject = inject;
        }
    }

    @BeforeAll
    static void start() {
        regions.createGlobalTable(CreateTableRequest.builder().tableName(TABLE)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build()).build());
        regions.regions().forEach(r -> regions.journal(r).keepBodies());
        // DynamoDB Local's first requests are slow on a loaded machine: not what the faults below are about
        for (String region : regions.regions()) {
            for (int i = 0; i < 20; i++) {
                regions.client(region).getItem(g -> g.tableName(TABLE).key(Map.of("id", AttributeValue.fromS("warm-up"))));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void noStaleReadNoSessionOutsideItsRegionsNothingAcknowledgedLost(Fault fault) throws Exception {
        try (MultiRegion runtime = MultiRegion.builder(MultiRegionConfig.builder()
                        .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                        .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                        .region(RegionSpec.of(Region.US_EAST_1))
                        .localRegion(Region.EU_WEST_1).build()).build();
                DynamoDbClient dynamo = MultiRegionDynamoDb.builder().multiRegion(runtime)
                        .clientFactory(r -> regions.clientBuilder(r.id()).overrideConfiguration(
                                RegionalClientDefaults.overrideConfiguration(1, ATTEMPT_TIMEOUT)).build())
                        .table(TableConfig.builder(TABLE).partitionKey("id")
                                .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build())
                        .buildClient()) {
            MeridianDynamoDbSessionRepository repository = MeridianDynamoDbSessionRepository.builder()
                    .client(dynamo).table(TABLE).dataClass(DataClass.RESTRICTED).subjectCountry("DE")
                    .readWait(Duration.ofMillis(400)).build();
            RegionalSession s = repository.createSession();
            s.setAttribute("n", 0);
            repository.save(s);
            long acknowledged = s.version();
            int acknowledgedN = 0;
            int served = 0;
            int refused = 0;
            int stale = 0;
            int savedDuringFault = 0;
            for (int round = 1; round <= ROUNDS; round++) {
                regions.healAll();
                regions.resumeReplication();
                regions.awaitReplication();
                runtime.resetHealth();
                RegionalSession current = repository.findById(s.getId());
                assertThat(current).isNotNull();
                current.setAttribute("n", round * 10);
                repository.save(current);
                acknowledged = current.version();
                acknowledgedN = round * 10;
                String sessionRegion = current.region().id();
                if (round % 2 == 0) {
                    // the other EU region falls behind: the fallback cannot show the last version within the wait
                    regions.pauseReplication(sessionRegion, other(sessionRegion));
                }
                fault.inject.accept(regions.faults(sessionRegion));
                RegionalSession read;
                try {
                    read = repository.findById(s.getId());
                } catch (SessionNotReadableException e) {
                    refused++;
                    continue;
                }
                served++;
                if (read == null || read.version() < acknowledged
                        || !Integer.valueOf(acknowledgedN).equals(read.getAttribute("n"))) {
                    stale++;
                    continue;
                }
                read.setAttribute("n", round * 10 + 1);
                try {
                    repository.save(read);
                    acknowledged = read.version();
                    acknowledgedN = round * 10 + 1;
                    savedDuringFault++;
                } catch (SessionNotReadableException e) {
                    // refused: nothing acknowledged, the last acknowledged version stands
                }
            }
            regions.healAll();
            regions.resumeReplication();
            regions.awaitReplication();
            System.out.printf("SESSION-STORE-FAULTS fault=%s rounds=%d served=%d refused=%d stale=%d"
                    + " savedDuringFault=%d%n", fault, ROUNDS, served, refused, stale, savedDuringFault);

            assertThat(stale).as("stale reads").isZero();
            assertThat(served).as("reads served while the session region failed").isPositive();
            assertThat(refused).as("reads refused while the other region was behind").isPositive();
            assertThat(savedDuringFault).as("saves that moved while the session region failed").isPositive();
            RequestJournal us = regions.journal("us-east-1");
            assertThat(us.entries()).as("no session request in us-east-1")
                    .noneMatch(e -> e.table().filter(TABLE::equals).isPresent());
            for (String region : List.of("eu-west-1", "eu-central-1")) {
                assertThat(regions.journal(region).entries()).as("every session write sent to " + region
                        + " is conditional").filteredOn(e -> e.operation().equals("PutItem")
                                || e.operation().equals("DeleteItem"))
                        .allMatch(e -> e.body().orElse("").contains("ConditionExpression"));
                Map<String, AttributeValue> item = regions.client(region).getItem(g -> g.tableName(TABLE)
                        .key(Map.of("id", AttributeValue.fromS(s.getId()))).consistentRead(true)).item();
                long stored = Long.parseLong(item.get("version").n());
                assertThat(stored).as("version in " + region + " after healing").isGreaterThanOrEqualTo(acknowledged);
                if (stored == acknowledged) {
                    RegionalSession there = repository.findById(s.getId());
                    assertThat(there.<Integer>getAttribute("n")).isEqualTo(acknowledgedN);
                }
            }
        }
    }

    private static String other(String euRegion) {
        return euRegion.equals("eu-west-1") ? "eu-central-1" : "eu-west-1";
    }
}
