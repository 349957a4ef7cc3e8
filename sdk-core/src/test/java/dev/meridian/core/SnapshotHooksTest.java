package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingRandom;
import dev.meridian.core.routing.RoutingStrategy;
import dev.meridian.core.spi.RegionalClients;
import dev.meridian.core.spi.SnapshotParticipant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.regions.Region;

/** The CRaC hooks driven directly, as a checkpoint and a restore would. */
class SnapshotHooksTest {

    /** A per-region client that records whether it was closed. */
    static final class Client implements AutoCloseable {
        final int generation;
        volatile boolean closed;

        Client(int generation) {
            this.generation = generation;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final MultiRegionConfig config = MultiRegionConfig.builder()
            .region(RegionSpec.of(Region.EU_WEST_1))
            .region(RegionSpec.of(Region.EU_CENTRAL_1))
            .localRegion(Region.EU_WEST_1)
            .build();

    @Test
    void beforeCheckpointPrimesThenClosesEveryBuiltClientAndTheNextCallBuildsANewOne() {
        AtomicInteger built = new AtomicInteger();
        List<String> events = new ArrayList<>();
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                RegionalClients<Client> clients = new RegionalClients<>("Client", config,
                        (region, spec) -> new Client(built.incrementAndGet()))) {
            Client before = clients.get(Region.EU_WEST_1);
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).clients(clients)
                    .priming(() -> events.add("primed while client open=" + !before.closed)).build();

            hooks.beforeCheckpoint(null);

            assertThat(events).containsExactly("primed while client open=true");
            assertThat(before.closed).isTrue();
            Client after = clients.get(Region.EU_WEST_1);
            assertThat(after.closed).isFalse();
            assertThat(after.generation).isEqualTo(2);
        }
    }

    @Test
    void theClientsGivenHereAreClosedOnlyOnceTheHealthProbesRoundInProgressHasEnded() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        MultiRegionConfig probed = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1))
                .region(RegionSpec.of(Region.EU_CENTRAL_1))
                .localRegion(Region.EU_WEST_1)
                .health(HealthConfig.builder().probe(region -> {
                    if (first.getAndSet(false)) {
                        entered.countDown();
                        release.await();
                    }
                    return true;
                }, Duration.ofMillis(20)).build())
                .build();
        try (MultiRegion runtime = MultiRegion.builder(probed).build();
                RegionalClients<Client> clients = new RegionalClients<>("Client", probed,
                        (region, spec) -> new Client(1))) {
            Client client = clients.get(Region.EU_WEST_1);
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).clients(clients).build();
            assertThat(entered.await(5, TimeUnit.SECONDS)).as("a probe round is in progress").isTrue();

            Thread checkpoint = new Thread(() -> hooks.beforeCheckpoint(null), "checkpoint");
            checkpoint.start();
            // The checkpoint waits on the probe round's lock before it closes anything.
            await().atMost(Duration.ofSeconds(5)).until(() -> checkpoint.getState() == Thread.State.WAITING);
            assertThat(client.closed).as("not closed under the probe round in progress").isFalse();
            release.countDown();
            checkpoint.join(5_000);
            assertThat(checkpoint.isAlive()).isFalse();
            assertThat(client.closed).isTrue();
            hooks.afterRestore(null);
        }
    }

    @Test
    void afterRestoreRegeneratesTheNodeIdAdvancesTheClockResetsHealthAndRunsTheHooks() {
        try (MultiRegion runtime = MultiRegion.builder(config).build()) {
            runtime.execute(Operation.of("read", OperationKind.READ), region -> "ok");
            runtime.circuitBreakers().circuitBreaker(Region.EU_CENTRAL_1.id()).transitionToOpenState();
            runtime.drain(Region.EU_CENTRAL_1);
            String nodeId = runtime.clock().nodeId();
            long stampBefore = runtime.clock().latest();
            List<String> hooksRun = new ArrayList<>();
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).afterRestore(() -> hooksRun.add("topology")).build();
            assertThat(runtime.status(Region.EU_WEST_1).latencyAverage()).isPresent();

            hooks.afterRestore(null);

            assertThat(runtime.clock().nodeId()).isNotEqualTo(nodeId);
            assertThat(runtime.clock().latest()).isGreaterThan(stampBefore);
            RegionStatus central = runtime.status(Region.EU_CENTRAL_1);
            assertThat(central.breaker()).isEqualTo(RegionStatus.BreakerState.CLOSED);
            assertThat(central.drained()).as("a drain is an operator's decision, kept across a restore").isTrue();
            assertThat(runtime.status(Region.EU_WEST_1).latencyAverage()).isEmpty();
            assertThat(hooksRun).containsExactly("topology");
        }
    }

    /**
     * Two copies restored from one snapshot start with the same routing random state (simulated: two runtimes with
     * one seed). Without the restore hook they make the same weighted / exploration choices; after it, their own.
     */
    @ParameterizedTest
    @ValueSource(strings = {"weighted", "latency"})
    void restoredCopiesOfOneSnapshotStopMakingTheSameRoutingDraws(String strategy) {
        MultiRegionConfig routed = MultiRegionConfig.builder()
                .region(RegionSpec.of(Region.EU_WEST_1).weight(50))
                .region(RegionSpec.of(Region.EU_CENTRAL_1).weight(50))
                .localRegion(Region.EU_WEST_1)
                .routing(strategy.equals("weighted") ? RoutingStrategy.weighted() : RoutingStrategy.latency(0.5, null))
                .build();
        try (MultiRegion copyA = MultiRegion.builder(routed).routingRandom(RoutingRandom.seeded(42)).build();
                MultiRegion copyB = MultiRegion.builder(routed).routingRandom(RoutingRandom.seeded(42)).build()) {
            assertThat(firstRegions(copyA)).as("the same state, not reseeded: the same draws")
                    .isEqualTo(firstRegions(copyB));

            SnapshotHooks.builder(copyA).build().afterRestore(null);
            SnapshotHooks.builder(copyB).build().afterRestore(null);

            assertThat(firstRegions(copyA)).as("reseeded from the OS entropy source: draws of its own")
                    .isNotEqualTo(firstRegions(copyB));
        }
    }

    /** The first region of 64 plans: 64 draws, equal only by a 2^-64 chance for independent copies. */
    private static List<Region> firstRegions(MultiRegion runtime) {
        Operation read = Operation.of("read", OperationKind.READ);
        List<Region> firsts = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            firsts.add(runtime.plan(read, RoutingContext.empty()).first());
        }
        return firsts;
    }

    @Test
    void partsRegisteredOnTheRuntimeActAroundTheSnapshotUntilUnregistered() {
        try (MultiRegion runtime = MultiRegion.builder(config).build()) {
            List<String> events = new ArrayList<>();
            SnapshotParticipant.Registration registration = runtime.onSnapshot(new SnapshotParticipant() {
                @Override
                public void beforeCheckpoint() {
                    events.add("closed pools");
                }

                @Override
                public void afterRestore() {
                    events.add("forgot topology");
                }
            });
            runtime.onSnapshot(new SnapshotParticipant() {
                @Override
                public void afterRestore() {
                    throw new IllegalStateException("a failing part does not stop the others");
                }
            });
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).afterRestore(() -> events.add("application hook"))
                    .build();

            hooks.beforeCheckpoint(null);
            hooks.afterRestore(null);
            registration.close();
            hooks.beforeCheckpoint(null);

            assertThat(events).containsExactly("closed pools", "forgot topology", "application hook");
        }
    }

    @Test
    void theClientsOfAWrappedInterfaceAreClosedBeforeTheCheckpointAndRebuiltAfter() {
        AtomicInteger built = new AtomicInteger();
        List<Client> clients = new ArrayList<>();
        try (MultiRegion runtime = MultiRegion.builder(config).build()) {
            Greeter greeter = runtime.wrapClient(Greeter.class, region -> {
                Client c = new Client(built.incrementAndGet());
                clients.add(c);
                return new Greeter() {
                    @Override
                    public String greet() {
                        return "hello " + c.generation;
                    }

                    @Override
                    public void close() {
                        c.close();
                    }
                };
            }, (method, args) -> Operation.of(method.getName(), OperationKind.READ));
            assertThat(greeter.greet()).isEqualTo("hello 1");

            SnapshotHooks.builder(runtime).build().beforeCheckpoint(null);

            assertThat(clients.get(0).closed).as("no open connection in the snapshot").isTrue();
            assertThat(greeter.greet()).isEqualTo("hello 2");
        }
    }

    /** A client interface no service module serves (the generic proxy). */
    public interface Greeter extends AutoCloseable {
        String greet();

        @Override
        void close();
    }

    /**
     * A part that, like sdk-dynamodb's replication-lag probe, uses the per-region clients from a background round and
     * holds its rounds ({@code beforeCheckpoint}: wait for the round in progress) only when asked. Its round is held
     * at the point where it is about to look a client up, until the test lets it go.
     */
    static final class BackgroundUser implements SnapshotParticipant {
        private final RegionalClients<Client> clients;
        private final Object round = new Object();
        final CountDownLatch inRound = new CountDownLatch(1);
        final CountDownLatch lookUp = new CountDownLatch(1);
        private volatile boolean suspended;

        BackgroundUser(RegionalClients<Client> clients) {
            this.clients = clients;
        }

        /** One round on its own thread, like a scheduled probe round. */
        Thread startRound() {
            Thread t = new Thread(() -> {
                synchronized (round) {
                    inRound.countDown();
                    try {
                        lookUp.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    clients.get(Region.EU_WEST_1);
                    clients.get(Region.EU_CENTRAL_1);
                }
            }, "background-round");
            t.start();
            return t;
        }

        void suspend() {
            suspended = true;
            synchronized (round) {
                // waits for the round in progress
            }
        }

        boolean suspended() {
            return suspended;
        }
    }

    private static SnapshotParticipant holdingInBeforeCheckpoint(BackgroundUser user) {
        return new SnapshotParticipant() {
            @Override
            public void beforeCheckpoint() {
                user.suspend();
            }
        };
    }

    private static SnapshotParticipant holdingInQuiesce(BackgroundUser user) {
        return new SnapshotParticipant() {
            @Override
            public void quiesce() {
                user.suspend();
            }
        };
    }

    /**
     * The routed client registers its per-region clients first; a lag probe built on them registers after. Closing
     * the clients before the probe is held let its round in progress rebuild them: they were open in the snapshot.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"user registered after the clients, holds in beforeCheckpoint",
            "user registered before the clients, holds in quiesce"})
    void noPerRegionClientIsOpenWhenBeforeCheckpointReturnsWhileAPartUsesThemInTheBackground(String order)
            throws Exception {
        List<Client> built = new CopyOnWriteArrayList<>();
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                RegionalClients<Client> clients = new RegionalClients<>("Client", config, (region, spec) -> {
                    Client c = new Client(built.size() + 1);
                    built.add(c);
                    return c;
                })) {
            clients.get(Region.EU_WEST_1);
            BackgroundUser user = new BackgroundUser(clients);
            if (order.startsWith("user registered after")) {
                runtime.onSnapshot(clients);
                runtime.onSnapshot(holdingInBeforeCheckpoint(user));
            } else {
                runtime.onSnapshot(holdingInQuiesce(user));
                runtime.onSnapshot(clients);
            }
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).build();
            Thread round = user.startRound();
            assertThat(user.inRound.await(5, TimeUnit.SECONDS)).as("a background round is in progress").isTrue();

            Thread checkpoint = new Thread(() -> hooks.beforeCheckpoint(null), "checkpoint");
            checkpoint.start();
            // The checkpoint waits on the round in progress (to hold the part) before it may return.
            await().atMost(Duration.ofSeconds(5)).until(() -> user.suspended()
                    && checkpoint.getState() == Thread.State.BLOCKED);
            user.lookUp.countDown();
            round.join(5_000);
            checkpoint.join(5_000);
            assertThat(checkpoint.isAlive()).isFalse();

            assertThat(built).as("every per-region client built so far is closed when beforeCheckpoint returns")
                    .allSatisfy(c -> assertThat(c.closed).isTrue());
            hooks.afterRestore(null);
        }
    }

    @Test
    void afterRestoreRunsThePartsInRegistrationOrderAndBeforeCheckpointInReverse() {
        try (MultiRegion runtime = MultiRegion.builder(config).build()) {
            List<String> events = new ArrayList<>();
            for (String part : List.of("clients", "probe")) {
                runtime.onSnapshot(new SnapshotParticipant() {
                    @Override
                    public void quiesce() {
                        events.add("quiesce " + part);
                    }

                    @Override
                    public void beforeCheckpoint() {
                        events.add("close " + part);
                    }

                    @Override
                    public void afterRestore() {
                        events.add("restore " + part);
                    }
                });
            }
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).build();

            hooks.beforeCheckpoint(null);
            hooks.afterRestore(null);

            assertThat(events).containsExactly("quiesce probe", "quiesce clients", "close probe", "close clients",
                    "restore clients", "restore probe");
        }
    }

    @Test
    void aFailingPrimingOrHookDoesNotStopTheCheckpointOrTheRestore() {
        try (MultiRegion runtime = MultiRegion.builder(config).build();
                RegionalClients<Client> clients = new RegionalClients<>("Client", config,
                        (region, spec) -> new Client(1))) {
            Client client = clients.get(Region.EU_WEST_1);
            String nodeId = runtime.clock().nodeId();
            SnapshotHooks hooks = SnapshotHooks.builder(runtime).clients(clients)
                    .priming(() -> {
                        throw new IllegalStateException("no network at build time");
                    })
                    .afterRestore(() -> {
                        throw new IllegalStateException("topology unavailable");
                    })
                    .build();

            hooks.beforeCheckpoint(null);
            hooks.afterRestore(null);

            assertThat(client.closed).isTrue();
            assertThat(runtime.clock().nodeId()).isNotEqualTo(nodeId);
        }
    }
}
