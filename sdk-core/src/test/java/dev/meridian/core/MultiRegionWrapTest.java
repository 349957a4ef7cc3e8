package dev.meridian.core;

import static dev.meridian.core.TestTopology.EU_CENTRAL;
import static dev.meridian.core.TestTopology.EU_WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

class MultiRegionWrapTest {

    /** Shaped like an AWS SDK client: default methods delegating to overloads, serviceName(), close(). */
    public interface FakeClient extends AutoCloseable {
        String SERVICE_NAME = "fake";

        default String serviceName() {
            return SERVICE_NAME;
        }

        default String get(String key) {
            throw new UnsupportedOperationException();
        }

        default String get(Consumer<StringBuilder> key) {
            StringBuilder b = new StringBuilder();
            key.accept(b);
            return get(b.toString());
        }

        default CompletableFuture<String> getAsync(String key) {
            throw new UnsupportedOperationException();
        }

        default String put(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        void close();
    }

    static final class RegionClient implements FakeClient {
        final Region region;
        final List<String> calls;
        final boolean down;
        volatile boolean closed;

        RegionClient(Region region, List<String> calls, boolean down) {
            this.region = region;
            this.calls = calls;
            this.down = down;
        }

        @Override
        public String get(String key) {
            calls.add(region.id() + ":get:" + key);
            if (down) {
                throw SdkClientException.create("Unable to execute HTTP request", new ConnectException("refused"));
            }
            return region.id() + "/" + key;
        }

        @Override
        public CompletableFuture<String> getAsync(String key) {
            calls.add(region.id() + ":getAsync:" + key);
            return down ? CompletableFuture.failedFuture(SdkClientException.create("x", new ConnectException()))
                    : CompletableFuture.completedFuture(region.id() + "/" + key);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Map<Region, RegionClient> built = new ConcurrentHashMap<>();
    private final AtomicInteger factoryCalls = new AtomicInteger();
    private final OperationClassifier classifier = (method, args) -> method.getName().startsWith("get")
            ? Operation.of(method.getName(), OperationKind.READ) : Operation.of(method.getName(), OperationKind.WRITE);

    private FakeClient wrap(Region down) {
        return MultiRegion.wrap(FakeClient.class, region -> {
            factoryCalls.incrementAndGet();
            RegionClient c = new RegionClient(region, calls, region.equals(down));
            built.put(region, c);
            return c;
        }, TestTopology.threeRegions().build(), classifier);
    }

    @Test
    void callsAreRoutedToTheLocalRegionAndFailOverWhenItIsDown() {
        try (FakeClient healthy = wrap(null)) {
            assertThat(healthy.get("k")).isEqualTo("eu-west-1/k");
        }
        calls.clear();
        try (FakeClient client = wrap(EU_WEST)) {
            assertThat(client.get("k")).isEqualTo("eu-central-1/k");
            assertThat(calls).containsExactly("eu-west-1:get:k", "eu-central-1:get:k");
        }
    }

    @Test
    void consumerOverloadRunsOnTheRegionalClientAndReachesTheRealOverloadOncePerRegion() {
        try (FakeClient client = wrap(EU_WEST)) {
            assertThat(client.get(b -> b.append("abc"))).isEqualTo("eu-central-1/abc");
            assertThat(calls).containsExactly("eu-west-1:get:abc", "eu-central-1:get:abc");
        }
    }

    @Test
    void objectMethodsAndServiceNameAreHandledLocallyWithoutBuildingClients() {
        FakeClient client = wrap(null);
        assertThat(client.serviceName()).isEqualTo("fake");
        assertThat(client.toString()).isEqualTo("MultiRegion<FakeClient>[eu-west-1, eu-central-1, us-east-1]");
        assertThat(client).isEqualTo(client).isNotEqualTo(wrap(null));
        assertThat(client.hashCode()).isEqualTo(System.identityHashCode(client));
        assertThat(factoryCalls).hasValue(0);
        client.close();
    }

    @Test
    void regionalClientsAreBuiltLazilyOnceAndClosedWithTheProxy() throws Exception {
        FakeClient client = wrap(null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 50; i++) {
                results.add(pool.submit(() -> client.get("k")));
            }
            for (Future<String> f : results) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("eu-west-1/k");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(factoryCalls).hasValue(1);
        client.close();
        assertThat(built.get(EU_WEST).closed).isTrue();
        assertThatThrownBy(() -> client.get("k")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void asyncMethodsFailOverWhenTheFutureFails() throws Exception {
        try (FakeClient client = wrap(EU_WEST)) {
            assertThat(client.getAsync("k").get(10, TimeUnit.SECONDS)).isEqualTo("eu-central-1/k");
            assertThat(calls).containsExactly("eu-west-1:getAsync:k", "eu-central-1:getAsync:k");
        }
    }

    @Test
    void exceptionsReachTheCallerUnwrapped() {
        try (FakeClient client = wrap(null)) {
            assertThatThrownBy(() -> client.put("k")).isExactlyInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void runtimeSharesHealthAcrossWrappedClientsAndClosesThem() {
        MultiRegion runtime = MultiRegion.builder(TestTopology.threeRegions().build()).build();
        FakeClient client = runtime.wrapClient(FakeClient.class, (region, spec) -> {
            assertThat(spec.region()).isEqualTo(region);
            RegionClient c = new RegionClient(region, calls, false);
            built.put(region, c);
            return c;
        }, classifier);
        runtime.drain(EU_WEST);
        assertThat(client.get("k")).isEqualTo("eu-central-1/k");
        assertThat(runtime.clock()).isSameAs(runtime.clock());
        assertThat(runtime.meterRegistry()).isEmpty();
        runtime.close();
        assertThat(built.get(EU_CENTRAL).closed).isTrue();
    }

    @Test
    void wrapRejectsAClassAndLeavesNoProbeThreadBehind() {
        long before = probeThreads();
        MultiRegionConfig probed = TestTopology.threeRegions()
                .health(HealthConfig.builder().probe(region -> true, Duration.ofMinutes(1)).build()).build();
        assertThatThrownBy(() -> MultiRegion.wrap(RegionClient.class,
                region -> new RegionClient(region, calls, false), probed, classifier))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("iface must be an interface, was ");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> probeThreads() <= before);
    }

    private static long probeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("meridian-health-probe") && t.isAlive()).count();
    }
}
