package dev.meridian.spring.sessionstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import dev.meridian.testkit.RequestJournal;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The DynamoDB session store on {@link LocalRegions} (three regions, replication delayed): save/find/delete, expiry,
 * the sticky region, the session region down with replication behind (no stale read: the latest version or a
 * refusal), and residency of RESTRICTED sessions (no write outside their jurisdiction, from the request journals).
 */
@LocalRegionsConfig(replicationDelayMillis = 300)
class DynamoDbSessionRepositoryIT {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbSessionRepositoryIT.class);
    private static final String TABLE = "sessions";
    private static final String EU_TABLE = "eu-sessions";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(1);
    private static final List<AutoCloseable> closeables = new ArrayList<>();
    private static LocalRegions regions;

    @BeforeAll
    static void start() {
        for (String table : List.of(TABLE, EU_TABLE)) {
            regions.createGlobalTable(CreateTableRequest.builder().tableName(table)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build()).build());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void savesFindsAndDeletesASessionInItsRegion() {
        Instance west = instance(Region.EU_WEST_1, b -> { });
        RegionalSession created = west.repository.createSession();
        created.setAttribute("user", "ada");
        west.repository.save(created);

        RegionalSession found = west.repository.findById(created.getId());
        assertThat(found).isNotNull();
        assertThat(found.<String>getAttribute("user")).isEqualTo("ada");
        assertThat(found.version()).isEqualTo(1);
        assertThat(found.region()).isEqualTo(Region.EU_WEST_1);
        found.setAttribute("user", "grace");
        west.repository.save(found);
        assertThat(west.repository.findById(created.getId()).<String>getAttribute("user")).isEqualTo("grace");

        west.repository.deleteById(created.getId());
        assertThat(west.repository.findById(created.getId())).isNull();
    }

    @Test
    void anExpiredSessionIsNotReturnedAndCarriesItsTtlAttribute() {
        Instance west = instance(Region.EU_WEST_1, b -> { });
        RegionalSession s = west.repository.createSession();
        s.setMaxInactiveInterval(Duration.ofMinutes(30));
        s.setLastAccessedTime(Instant.now().minus(Duration.ofHours(1)));
        west.repository.save(s);

        Map<String, AttributeValue> item = regions.client("eu-west-1").getItem(g -> g.tableName(TABLE)
                .key(Map.of("id", AttributeValue.fromS(s.getId()))).consistentRead(true)).item();
        assertThat(Long.parseLong(item.get("expiresAt").n()))
                .isEqualTo(s.getLastAccessedTime().plus(Duration.ofMinutes(30)).getEpochSecond())
                .isLessThan(Instant.now().getEpochSecond());
        assertThat(west.repository.findById(s.getId())).isNull();
    }

    @Test
    void theSessionRegionIsStickyForInstancesInOtherRegions() {
        Instance west = instance(Region.EU_WEST_1, b -> { });
        Instance central = instance(Region.EU_CENTRAL_1, b -> { });
        RegionalSession s = west.repository.createSession();
        s.setAttribute("cart", "3 items");
        west.repository.save(s);
        assertThat(s.getId()).startsWith("eu-west-1~");

        RequestJournal westJournal = regions.journal("eu-west-1");
        RequestJournal centralJournal = regions.journal("eu-central-1");
        int westReads = westJournal.count("GetItem");
        int centralReads = centralJournal.count("GetItem");
        RegionalSession read = central.repository.findById(s.getId());

        assertThat(read.<String>getAttribute("cart")).isEqualTo("3 items");
        assertThat(westJournal.count("GetItem")).as("read in the session's region").isEqualTo(westReads + 1);
        assertThat(centralJournal.count("GetItem")).as("not in the reader's local region").isEqualTo(centralReads);
    }

    @Test
    void withTheSessionRegionDownAndReplicationBehindNoReadIsStale() {
        int rounds = Integer.getInteger("meridian.sessionstore.rounds", 20);
        Instance west = instance(Region.EU_WEST_1, b -> b.readWait(Duration.ofSeconds(1)));
        RegionalSession s = west.repository.createSession();
        west.repository.save(s);
        int stale = 0;
        int served = 0;
        int refused = 0;
        for (int i = 1; i <= rounds; i++) {
            regions.healAll();
            regions.awaitReplication();
            west.runtime.resetHealth();
            RegionalSession current = west.repository.findById(s.getId());
            current.setAttribute("n", i);
            west.repository.save(current);
            long acknowledged = current.version();
            if (i % 2 == 0) {
                // every other round the replicas cannot catch up before the read gives up; else they do within the wait
                regions.pauseReplication("eu-west-1", "eu-central-1");
                regions.pauseReplication("eu-west-1", "us-east-1");
            }
            regions.faults("eu-west-1").down();
            try {
                RegionalSession read = west.repository.findById(s.getId());
                served++;
                if (read == null || read.version() < acknowledged || !Integer.valueOf(i).equals(read.getAttribute("n"))) {
                    stale++;
                }
            } catch (SessionNotReadableException e) {
                refused++;
                assertThat(e.getMessage()).contains(s.getId(), "meridian.session.read-wait");
            }
            regions.resumeReplication();
        }
        LOG.info("Session region down, replication delay {}: {} reads, {} served elsewhere, {} refused, {} stale",
                regions.replicationDelay(), rounds, served, refused, stale);
        System.out.printf("SESSION-STORE-DRILL rounds=%d served=%d refused=%d stale=%d%n", rounds, served, refused,
                stale);
        assertThat(stale).isZero();
        assertThat(refused).as("paused replication must be refused").isPositive();
        assertThat(served).as("caught-up replicas must serve the session").isPositive();
    }

    @Test
    void anInstanceThatNeverSawTheSessionsLastVersionRefusesDuringTheOutage() {
        Instance west = instance(Region.EU_WEST_1, b -> { });
        Instance central = instance(Region.EU_CENTRAL_1, b -> b.readWait(Duration.ofMillis(200)));
        RegionalSession s = west.repository.createSession();
        west.repository.save(s);
        regions.awaitReplication();
        regions.faults("eu-west-1").down();

        assertThatThrownBy(() -> central.repository.findById(s.getId()))
                .isInstanceOf(SessionNotReadableException.class)
                .hasMessageContaining("its region eu-west-1 is unavailable");
        assertThat(west.repository.findById(s.getId()).version()).as("the instance that saved it knows the version")
                .isEqualTo(1);
    }

    @Test
    void aSaveDuringTheOutageMovesTheSessionAndNeverOverwritesANewerVersion() {
        Instance west = instance(Region.EU_WEST_1, b -> { });
        RegionalSession s = west.repository.createSession();
        west.repository.save(s);
        regions.awaitReplication();
        regions.faults("eu-west-1").down();

        RegionalSession read = west.repository.findById(s.getId());
        read.setAttribute("step", "paid");
        west.repository.save(read);
        assertThat(read.region()).isNotEqualTo(Region.EU_WEST_1);
        assertThat(read.version()).isEqualTo(2);

        regions.healAll();
        west.runtime.resetHealth();
        regions.awaitReplication();
        RegionalSession after = west.repository.findById(s.getId());
        assertThat(after.<String>getAttribute("step")).isEqualTo("paid");
        assertThat(after.region()).isEqualTo(read.region());
    }

    @Test
    void aReadAfterTheSessionMovedAndItsFirstRegionCameBackNeverServesTheOlderVersion() {
        Instance west = instance(Region.EU_WEST_1, b -> b.readWait(Duration.ofMillis(500)));
        RegionalSession s = west.repository.createSession();
        s.setAttribute("step", "cart");
        west.repository.save(s);
        regions.awaitReplication();
        regions.pauseReplication("eu-central-1", "eu-west-1");
        regions.pauseReplication("us-east-1", "eu-west-1");
        regions.faults("eu-west-1").down();
        RegionalSession read = west.repository.findById(s.getId());
        read.setAttribute("step", "paid");
        west.repository.save(read);
        assertThat(read.region()).isNotEqualTo(Region.EU_WEST_1);

        // eu-west-1 answers again but still holds version 1: the session's last write was acknowledged elsewhere
        regions.healAll();
        west.runtime.resetHealth();
        RegionalSession after = west.repository.findById(s.getId());
        assertThat(after.version()).isEqualTo(2);
        assertThat(after.<String>getAttribute("step")).isEqualTo("paid");
    }

    @Test
    void aThrottledSessionRegionMovesReadsAndSavesInsteadOfFailingThem() {
        Instance west = instance(Region.EU_WEST_1, b -> { });
        RegionalSession s = west.repository.createSession();
        west.repository.save(s);
        regions.awaitReplication();
        regions.faults("eu-west-1").throttle();

        RegionalSession read = west.repository.findById(s.getId());
        assertThat(read.version()).isEqualTo(1);
        read.setAttribute("step", "paid");
        west.repository.save(read);
        assertThat(read.version()).isEqualTo(2);
        assertThat(read.region()).isNotEqualTo(Region.EU_WEST_1);
    }

    @Test
    void aSaveAppliedWhoseAnswerWasLostIsAcknowledgedNotReportedAsAConflict() {
        // eu-west-1 applies the save (real DynamoDB Local) and its answer is lost on the way back (a read timeout);
        // the save that moves to eu-central-1 is sent once replication brought eu-west-1's application there, so it
        // finds its own write (without the wait, a slow replicator would leave the order to chance)
        AtomicReference<String> awaited = new AtomicReference<>();
        AtomicBoolean loseAnswer = new AtomicBoolean();
        Instance west = instance(Region.EU_WEST_1, b -> { }, (region, client) -> client.addExecutionInterceptor(
                new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        String id = awaited.get();
                        if (region.equals(Region.EU_CENTRAL_1) && id != null
                                && context.request() instanceof PutItemRequest) {
                            await().atMost(Duration.ofSeconds(60)).until(() -> directVersion("eu-central-1", id) >= 2);
                        }
                    }

                    @Override
                    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
                        if (region.equals(Region.EU_WEST_1) && context.request() instanceof PutItemRequest
                                && loseAnswer.compareAndSet(true, false)) {
                            throw SdkClientException.create("answer lost", new SocketTimeoutException("Read timed out"));
                        }
                    }
                }));
        RegionalSession s = west.repository.createSession();
        west.repository.save(s);
        regions.awaitReplication();
        RegionalSession read = west.repository.findById(s.getId());
        regions.journal("eu-central-1").clear();
        awaited.set(s.getId());
        loseAnswer.set(true);
        read.setAttribute("step", "paid");
        west.repository.save(read);
        assertThat(read.version()).isEqualTo(2);
        assertThat(regions.journal("eu-central-1").count("PutItem")).as("the save moved").isEqualTo(1);

        regions.awaitReplication();
        RegionalSession after = west.repository.findById(s.getId());
        assertThat(after.version()).isEqualTo(2);
        assertThat(after.<String>getAttribute("step")).isEqualTo("paid");
    }

    private static long directVersion(String region, String id) {
        try (DynamoDbClient direct = regions.clientBuilder(region).endpointOverride(regions.directEndpoint(region))
                .build()) {
            Map<String, AttributeValue> item = direct.getItem(g -> g.tableName(TABLE)
                    .key(Map.of("id", AttributeValue.fromS(id))).consistentRead(true)).item();
            return item == null || item.isEmpty() ? 0 : Long.parseLong(item.get("version").n());
        }
    }

    @Test
    void restrictedSessionsAreNeverWrittenOutsideTheirJurisdiction() {
        Instance west = instance(Region.EU_WEST_1, b -> b.table(EU_TABLE).dataClass(DataClass.RESTRICTED)
                .subjectCountry("DE"));
        RequestJournal us = regions.journal("us-east-1");
        us.clear();
        RegionalSession s = west.repository.createSession();
        west.repository.save(s);
        regions.awaitReplication();
        regions.faults("eu-west-1").down();
        for (int i = 0; i < 5; i++) {
            RegionalSession read = west.repository.findById(s.getId());
            read.setAttribute("i", i);
            west.repository.save(read);
            assertThat(read.region()).isEqualTo(Region.EU_CENTRAL_1);
        }
        regions.faults("eu-central-1").down();
        assertThatThrownBy(() -> west.repository.findById(s.getId())).isInstanceOf(SessionNotReadableException.class);
        assertThat(us.entries()).as("no session call in us-east-1")
                .noneMatch(e -> e.table().filter(EU_TABLE::equals).isPresent());
    }

    private record Instance(MultiRegion runtime, MeridianDynamoDbSessionRepository repository) { }

    private static Instance instance(Region local, Consumer<MeridianDynamoDbSessionRepository.Builder> settings) {
        return instance(local, settings, (region, client) -> { });
    }

    private static Instance instance(Region local, Consumer<MeridianDynamoDbSessionRepository.Builder> settings,
            BiConsumer<Region, ClientOverrideConfiguration.Builder> clients) {
        MultiRegion runtime = MultiRegion.builder(MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).jurisdiction("EU"))
                .region(RegionSpec.of(Region.US_EAST_1))
                .localRegion(local).build()).build();
        DynamoDbClient dynamo = MultiRegionDynamoDb.builder().multiRegion(runtime)
                .clientFactory(r -> {
                    ClientOverrideConfiguration.Builder o = RegionalClientDefaults.apply(
                            ClientOverrideConfiguration.builder(), 1, ATTEMPT_TIMEOUT);
                    clients.accept(r, o);
                    return regions.clientBuilder(r.id()).overrideConfiguration(o.build()).build();
                })
                .table(TableConfig.builder(TABLE).partitionKey("id").build())
                .table(TableConfig.builder(EU_TABLE).partitionKey("id")
                        .replicaRegions(Region.EU_WEST_1, Region.EU_CENTRAL_1).build())
                .buildClient();
        closeables.add(0, runtime);
        closeables.add(0, dynamo);
        MeridianDynamoDbSessionRepository.Builder b = MeridianDynamoDbSessionRepository.builder().client(dynamo)
                .table(TABLE);
        settings.accept(b);
        return new Instance(runtime, b.build());
    }
}
