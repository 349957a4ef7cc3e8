package dev.meridian.spring.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianReactive;
import dev.meridian.spring.MeridianSessionTokenAutoConfiguration;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import dev.meridian.testkit.RequestJournal;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.regions.Region;

/**
 * Read-your-writes across two real Spring Boot services on real HTTP ports over {@link LocalRegions} with replication
 * delayed: service A (local region eu-west-1) writes and returns the {@code Meridian-Session} header; service B
 * (local region eu-central-1, the starter's client running a replication-lag probe:
 * {@code meridian.dynamodb.replication-lag-probe.table}) reads, called by A's {@code RestClient} (which forwards the
 * header) or by the test. Number of pairs: {@code -Dmeridian.session.pairs} (default 1000), four in flight at once.
 */
@LocalRegionsConfig(regions = {"eu-west-1", "eu-central-1"}, replicationDelayMillis = 300)
class SessionTokenAcrossServicesIT {
    private static final Logger LOG = LoggerFactory.getLogger(SessionTokenAcrossServicesIT.class);
    private static final String HEADER = "Meridian-Session";
    /** Write-then-read pairs in flight at once in {@link #staleReads}. */
    private static final int PAIRS_AT_ONCE = 4;
    private static final List<ConfigurableApplicationContext> apps = new ArrayList<>();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static LocalRegions regions;
    private static String a;
    private static String b;
    private static MultiRegion runtimeOfB;

    @BeforeAll
    static void start() {
        for (String table : List.of(SessionServiceApp.TABLE, SessionServiceApp.HEARTBEATS)) {
            regions.createGlobalTable(LocalRegions.pkTable(table));
        }
        SessionServiceApp.regions = regions;
        ConfigurableApplicationContext serviceB = start("eu-central-1",
                "meridian.dynamodb.replication-lag-probe.table=" + SessionServiceApp.HEARTBEATS,
                // Heartbeats only matter to the test that waits for replication to pass a write (300 ms delay): every
                // 200 ms is prompt enough there; at 50 ms they added 80 DynamoDB Local calls a second to the whole class.
                "meridian.dynamodb.replication-lag-probe.interval=200ms");
        b = url(serviceB);
        runtimeOfB = serviceB.getBean(MultiRegion.class);
        a = url(start("eu-west-1", "test.downstream=" + b));
    }

    @AfterAll
    static void stop() {
        apps.forEach(ConfigurableApplicationContext::close);
    }

    @AfterEach
    void heal() {
        runtimeOfB.undrain(Region.EU_WEST_1);
    }

    @Test
    void withTheTokenNoReadIsStaleInTheSecondService() throws Exception {
        int pairs = Integer.getInteger("meridian.session.pairs", 1000);
        RequestJournal central = regions.journal("eu-central-1");
        int centralBefore = itemReads(central);
        long started = System.nanoTime();
        int staleWith = staleReads(pairs, "with-", true);
        long withMillis = (System.nanoTime() - started) / 1_000_000;
        int servedInB = itemReads(central) - centralBefore;
        started = System.nanoTime();
        int staleWithout = staleReads(pairs, "without-", false);
        long withoutMillis = (System.nanoTime() - started) / 1_000_000;
        Duration delay = regions.replicationDelay();
        LOG.info("Read-your-writes across services, {} write-then-read pairs, replication delay {}: stale reads with"
                + " the session token {} ({} ms, {} served in B's own region), without it {} ({} ms)", pairs, delay,
                staleWith, withMillis, servedInB, staleWithout, withoutMillis);
        System.out.printf("SESSION-TOKEN-RESULT pairs=%d delay=%s staleWithToken=%d servedInBWithToken=%d"
                + " staleWithoutToken=%d withMillis=%d withoutMillis=%d%n", pairs, delay, staleWith, servedInB,
                staleWithout, withMillis, withoutMillis);
        assertThat(staleWith).isZero();
        assertThat(staleWithout).as("without the token B reads its local replica: stale reads must show")
                .isPositive();
    }

    /**
     * Runs {@code pairs} write-then-relayed-read pairs, each on an item of its own ({@code prefix + i}, value
     * {@code i}), {@value #PAIRS_AT_ONCE} pairs at a time: within a pair the read follows the write's answer;
     * pairs are independent, so running them side by side only overlaps their waits on HTTP and DynamoDB Local. With {@code withToken} the read carries the write's token (a write without one fails the pair).
     *
     * @return how many reads did not see their pair's write
     */
    private static int staleReads(int pairs, String prefix, boolean withToken) throws Exception {
        AtomicInteger stale = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(PAIRS_AT_ONCE);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int n = 0; n < pairs; n++) {
                int i = n;
                done.add(pool.submit(() -> {
                    Optional<String> token = write(prefix + i, i);
                    String relayed = relay(prefix + i, withToken
                            ? token.orElseThrow(() -> new AssertionError("no " + HEADER + " header"))
                            : null);
                    if (!String.valueOf(i).equals(relayed)) {
                        stale.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> pair : done) {
                pair.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return stale.get();
    }

    /**
     * The token's reads move to B's own region (journal witness: a GetItem of the item reaching eu-central-1's
     * DynamoDB, none reaching eu-west-1) once B's probe saw replication pass each write, and no read before or after
     * that is stale.
     */
    @Test
    void onceReplicationPassedTheWriteTokenReadsAreServedByTheCaughtUpRegionAndNoneIsStale() throws Exception {
        RequestJournal west = regions.journal("eu-west-1");
        RequestJournal central = regions.journal("eu-central-1");
        int writes = 10;
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger stale = new AtomicInteger();
        for (int i = 0; i < writes; i++) {
            String id = "replicated-" + i;
            String expected = String.valueOf(i);
            String token = write(id, i).orElseThrow();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
                int westReads = itemReads(west);
                int centralReads = itemReads(central);
                reads.incrementAndGet();
                if (!expected.equals(read(b, id, token))) {
                    stale.incrementAndGet();
                }
                return itemReads(central) == centralReads + 1 && itemReads(west) == westReads;
            });
        }
        LOG.info("{} writes read under their token in B until served in B's region: {} reads, {} stale", writes,
                reads, stale);
        assertThat(stale.get()).isZero();
    }

    @Test
    void whereNoRegionHoldingTheWriteCanServeTheReadIsRefusedThenServedOnceReplicated() throws Exception {
        regions.pauseReplication("eu-west-1", "eu-central-1");
        String token = write("held", 3).orElseThrow();
        runtimeOfB.drain(Region.EU_WEST_1);

        HttpResponse<String> refused = get(b + "/items/held", token);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("session token " + token, "eu-west-1", "sessionReadWait");

        regions.resumeReplication("eu-west-1", "eu-central-1");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(read(b, "held", token)).isEqualTo("3"));
    }

    @Test
    void anInvalidTokenIsAnsweredWith400NamingTheHeader() throws Exception {
        HttpResponse<String> malformed = get(b + "/items/x", "not-a-token");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("Header " + HEADER + " is not a session token");
        HttpResponse<String> unknown = get(b + "/items/x", SessionToken.of(Region.US_EAST_1, 1L << 20).format());
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("Header " + HEADER + " names region us-east-1");
    }

    @Test
    void aReadOnlyRequestReturnsNoToken() throws Exception {
        HttpResponse<String> r = get(a + "/items/nothing", null);
        assertThat(r.headers().firstValue(HEADER)).isEmpty();
    }

    @Test
    void webClientAndRestClientFromBootsBuildersSendTheTokenAndTakeTheOneReturnedAfterADownstreamWrite() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        RestClientAutoConfiguration.class, WebClientAutoConfiguration.class,
                        MeridianSessionTokenAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1,eu-central-1")
                .run(ctx -> {
                    WebClient.Builder webClients = ctx.getBean(WebClient.Builder.class);
                    RoutingSession web = RoutingSession.start();
                    webClients.clone().clientConnector(new JdkClientHttpConnector()).baseUrl(a).build()
                            .put().uri("/items/web?v=11").retrieve().toBodilessEntity()
                            .contextWrite(MeridianReactive.withRoutingContext(
                                    RoutingContext.builder().session(web).build()))
                            .block(Duration.ofSeconds(30));
                    assertThat(web.wrote()).isTrue();
                    SessionToken written = web.token().orElseThrow();
                    assertThat(written.region()).isEqualTo(Region.EU_WEST_1);
                    String read = webClients.clone().clientConnector(new JdkClientHttpConnector()).baseUrl(b).build()
                            .get().uri("/items/web").retrieve().bodyToMono(String.class)
                            .contextWrite(MeridianReactive.withRoutingContext(
                                    RoutingContext.builder().session(RoutingSession.after(written)).build()))
                            .block(Duration.ofSeconds(30));
                    assertThat(read).isEqualTo("11");

                    RestClient rest = ctx.getBean(RestClient.Builder.class).baseUrl(a).build();
                    RoutingSession blocking = RoutingSession.after(written);
                    try (RoutingContext.Scope s = RoutingContext.builder().session(blocking).open()) {
                        rest.put().uri("/items/rest?v=12").retrieve().toBodilessEntity();
                    }
                    assertThat(blocking.token().orElseThrow().stamp()).isGreaterThan(written.stamp());
                    try (RoutingContext.Scope s = RoutingContext.builder().session(blocking).open()) {
                        assertThat(ctx.getBean(RestClient.Builder.class).baseUrl(b).build().get()
                                .uri("/items/rest").retrieve().body(String.class)).isEqualTo("12");
                    }
                });
    }

    private static int itemReads(RequestJournal journal) {
        return (int) journal.entries().stream().filter(e -> e.operation().equals("GetItem")
                && e.table().filter(SessionServiceApp.TABLE::equals).isPresent()).count();
    }

    private static Optional<String> write(String id, long v) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(a + "/items/" + id + "?v=" + v))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(204);
        return r.headers().firstValue(HEADER);
    }

    /** A's relay endpoint: its RestClient calls B, forwarding the header A received. */
    private static String relay(String id, String token) throws IOException, InterruptedException {
        return body(get(a + "/relay/" + id, token));
    }

    private static String read(String service, String id, String token) throws IOException, InterruptedException {
        return body(get(service + "/items/" + id, token));
    }

    private static String body(HttpResponse<String> r) {
        return r.statusCode() == 200 ? r.body() : "status " + r.statusCode();
    }

    private static HttpResponse<String> get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).GET();
        if (token != null) {
            req.header(HEADER, token);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ConfigurableApplicationContext start(String localRegion, String... extra) {
        List<String> props = new ArrayList<>(List.of("server.port=0", "meridian.regions=eu-west-1,eu-central-1",
                "meridian.local-region=" + localRegion, "meridian.dynamodb.wrap-beans=false",
                "meridian.dynamodb.tables." + SessionServiceApp.TABLE + ".partition-key=pk",
                "spring.main.banner-mode=off",
                // Tomcat closes a kept-alive connection after 100 requests by default, racing the clients that reuse it.
                "server.tomcat.max-keep-alive-requests=-1", "server.tomcat.keep-alive-timeout=10m"));
        props.addAll(List.of(extra));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(SessionServiceApp.class)
                .web(WebApplicationType.SERVLET).properties(props.toArray(String[]::new)).run();
        apps.add(ctx);
        return ctx;
    }

    private static String url(ConfigurableApplicationContext ctx) {
        return "http://localhost:" + ctx.getEnvironment().getProperty("local.server.port");
    }
}
