package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import dev.meridian.dynamodb.FakeRegionClient;
import dev.meridian.testkit.ClassPathWithout;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedClassLoader;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Cold start: building the routed client (the recommended Lambda shape: tables configured) and serving its first
 * read — a cold region client's, so on the hedge threads — loads no class that only another kind of call needs.
 * Checked with JFR's class-load events in a class loader of its own, so that nothing was linked before; the classes
 * named here were each loaded before their cut (what loaded them is said per test).
 */
class FirstReadColdStartTest {
    private static List<String> loaded = List.of();
    private static String answer = "";
    private static Map<String, Integer> ownClassBytes = Map.of();
    /** What the build and first read loaded when this budget was set (435,711 bytes), plus 3 %. */
    private static final int OWN_CLASS_BYTES_BUDGET = 449_000;

    /** Runs inside the fresh class loader: builds the client and makes its first read, as the cold-start benchmark. */
    public static final class Probe implements Supplier<String> {
        @Override
        public String get() {
            Map<Region, FakeRegionClient> fakes = new ConcurrentHashMap<>();
            try (DynamoDbClient routed = ColdOrdersClient.over(fakes,
                    new Region[] {Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1},
                    Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1)) {
                boolean found = routed.getItem(g -> g.tableName("orders")
                        .key(Map.of("pk", AttributeValue.fromS("o1")))).hasItem();
                return fakes.get(Region.EU_WEST_1).received + " found=" + found;
            }
        }
    }

    @BeforeAll
    static void buildAndReadOnceInAFreshClassLoader() throws Exception {
        Path events = Files.createTempFile("first-read-class-loads", ".jfr");
        try (URLClassLoader fresh = ClassPathWithout.packages("dev.meridian.no-such-package.");
                Recording recording = new Recording()) {
            recording.enable("jdk.ClassLoad").withoutStackTrace().withThreshold(Duration.ZERO);
            recording.start();
            @SuppressWarnings("unchecked")
            Supplier<String> probe = (Supplier<String>) ClassPathWithout.newInstance(fresh, Probe.class);
            answer = probe.get();
            recording.stop();
            recording.dump(events);
            List<String> names = new ArrayList<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(events)) {
                // Not the test's own class loader's: a thread an earlier test left behind in this JVM is not the probe.
                RecordedClassLoader definer = e.getValue("definingClassLoader");
                RecordedClass definerType = definer == null ? null : definer.getType(); // null: the boot loader
                if (definerType == null || !definerType.getName().endsWith("$AppClassLoader")) {
                    names.add(e.getClass("loadedClass").getName());
                }
            }
            loaded = names;
            ownClassBytes = ownClassFileBytes(fresh, names);
        }
        Files.delete(events);
    }

    /**
     * The class-file bytes of Meridian's own (non-test) classes among {@code names}, each class read from
     * {@code loader}'s class path; lambdas are listed as spun, not read.
     */
    private static Map<String, Integer> ownClassFileBytes(URLClassLoader loader, List<String> names) throws Exception {
        Map<String, Integer> bytes = new TreeMap<>();
        for (String name : names) {
            if (!name.startsWith("dev.meridian.") || name.contains("$$Lambda")) {
                continue;
            }
            URL file = loader.getResource(name.replace('.', '/') + ".class");
            if (file != null && !file.toString().contains("/test-classes/")) {
                try (InputStream in = file.openStream()) {
                    bytes.put(name, in.readAllBytes().length);
                }
            }
        }
        return bytes;
    }

    /**
     * Issue 19's cold start (≤ 1.05× the raw client's CPU and wall): a cold JVM pays for every class file the first
     * read loads and every lambda it spins (the spin's JDK code is what the JIT then compiles). Cut from 95 classes,
     * 597 KB and 15 lambdas to 89 classes, 436 KB and none in the benchmark's child (RESULTS, "Cold start, ninth
     * round"). A budget, so that code the first read does not run stays in classes it does not load; raise it only
     * with a cold-start run ({@code ColdStartBenchmark}) showing the ratio still holds.
     */
    @Test
    void theBuildAndFirstReadStayWithinTheirClassFileBudgetAndSpinNoLambdaOfMeridian() {
        assertThat(loaded).as("Meridian lambdas spun by the build and first read")
                .noneMatch(name -> name.startsWith("dev.meridian.") && name.contains("$$Lambda")
                        && !isTestClass(name.substring(0, name.indexOf("$$Lambda"))));
        int total = ownClassBytes.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(total).as("class-file bytes of Meridian's classes loaded by the build and first read: %s",
                ownClassBytes).isLessThanOrEqualTo(OWN_CLASS_BYTES_BUDGET);
    }

    private static boolean isTestClass(String name) {
        URL file = FirstReadColdStartTest.class.getClassLoader().getResource(name.replace('.', '/') + ".class");
        return file != null && file.toString().contains("/test-classes/");
    }

    @Test
    void theProbeBuiltAndReadAfresh() {
        assertThat(answer).isEqualTo("[GetItem] found=false");
        assertThat(loaded).as("the probe's classes were loaded afresh")
                .contains(DynamoDbRouting.class.getName(), "dev.meridian.core.RegionalExecutor$Run");
    }

    /**
     * A read under a session token is bounded by {@code SessionReads}, built on the first such read. Before: built
     * with the client (the builder's default wait and the routing's constructor), its verification loading its
     * refusal's exception (and the router's two, which the router loads anyway), and every call's check spinning
     * {@code flatMap(RoutingSession::token)}, which loaded {@code RoutingSession}.
     */
    @Test
    void noSessionReadsClassesWithoutASessionToken() {
        assertThat(loaded).as("session reads' classes, loaded though no call has a session token").noneMatch(name ->
                name.equals(SessionReads.class.getName())
                        || name.equals(SessionWriteNotVisibleException.class.getName())
                        || name.equals(RoutingSession.class.getName())
                        || name.startsWith(SessionReads.class.getName() + "$$Lambda"));
    }

    /**
     * The first read of a region's new client runs on the hedge threads ({@code RegionalExecutor.Run}); the
     * caller-first attempt ({@code CallerFirst}, a {@code ReleasableAttempt}) serves warm clients only. Before: the
     * run's verification loaded both, as the run stored a {@code CallerFirst} in a {@code ReleasableAttempt} field.
     */
    @Test
    void theHedgeThreadsFirstReadLoadsNoCallerFirstAttempt() {
        assertThat(loaded).as("the caller-first attempt's classes on a cold client's first read").noneMatch(name ->
                name.equals("dev.meridian.core.RegionalExecutor$CallerFirst")
                        || name.equals("dev.meridian.core.ReleasableAttempt"));
    }

    /**
     * The asynchronous call's future ({@code RegionalExecutor.AsyncCall}, a {@code ContextualFuture}) is the async
     * client's. Before: the synchronous first read loaded both, the run asking {@code instanceof AsyncCall} as it
     * started and the executor's verification checking the one it returned.
     */
    @Test
    void theSyncFirstReadLoadsNoAsynchronousCallFuture() {
        assertThat(loaded).as("the async call's classes on a synchronous client's build and first read").noneMatch(name ->
                name.equals("dev.meridian.core.RegionalExecutor$AsyncCall")
                        || name.equals("dev.meridian.core.routing.ContextualFuture"));
    }

    /**
     * The catalog's cache-only describe function is the async client's: a synchronous client with configured tables
     * never describes one. Before: spun as a lambda by the catalog's static initializer, with every client's build.
     */
    @Test
    void theSyncClientSpinsNoCacheOnlyDescribeFunction() {
        assertThat(loaded).as("the catalog's classes loaded by the build and first read").noneMatch(name ->
                name.startsWith(TableCatalog.class.getName() + "$$Lambda")
                        || name.startsWith(TableCatalog.class.getName() + "$CacheOnly"));
    }

    /** A read under a session token still finds its bound once the first such read builds it. */
    @Test
    void aReadUnderASessionTokenIsStillBoundedToTheWritingRegion() {
        Map<Region, FakeRegionClient> fakes = new ConcurrentHashMap<>();
        try (DynamoDbClient routed = ColdOrdersClient.over(fakes,
                new Region[] {Region.EU_WEST_1, Region.EU_CENTRAL_1},
                Region.EU_WEST_1, Region.EU_CENTRAL_1)) {
            SessionToken wroteInFrankfurt = SessionToken.of(Region.EU_CENTRAL_1, System.currentTimeMillis());
            RoutingContext session = RoutingContext.builder().session(RoutingSession.after(wroteInFrankfurt)).build();
            try (RoutingContext.Scope s = session.open()) {
                routed.getItem(g -> g.tableName("orders").key(Map.of("pk", AttributeValue.fromS("o1"))));
            }
            assertThat(fakes.get(Region.EU_CENTRAL_1).received).as("served where the session wrote")
                    .contains("GetItem");
            assertThat(fakes.containsKey(Region.EU_WEST_1) ? fakes.get(Region.EU_WEST_1).received : List.of())
                    .as("not served by the local region, which has not been seen to replicate it").isEmpty();
        }
    }
}
