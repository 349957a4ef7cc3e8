package dev.meridian.samples.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.meridian.core.health.RegionStatus;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.idempotency.DynamoDbIdempotencyStore;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.RequestJournal;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.awaitility.Awaitility;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The Lambda door of the invariant suite (the Spring doors' is {@code DoorInvariantPropertyIT} in the starter), with
 * the same case shape: the handler in process × the event's country claim (DE, US, absent, malformed) × the
 * function's configuration (the tables' default data class RESTRICTED as deployed; none; require-context;
 * RESTRICTED by default) × a fault in one region (none, eu-west-1 refusing connections, eu-central-1 answering 500,
 * us-east-1 black-holed, eu-west-1 black-holed until the function's runtime gave it up — suspect or ejected — through
 * the hedged reads of a German subject's missing order). Each try posts one order carrying a unique id (and, when
 * created, reads it back); the regions' request journals witness every request of that order (claim, order,
 * completion, read):
 * <ol>
 *   <li>an order never reaches a region outside its subject's jurisdiction: a claim names a subject, and the
 *       function declares its orders RESTRICTED; an unmapped (malformed) country is an unknown jurisdiction and is
 *       refused (403), never a 400, since the claim comes from the authorizer, not the client;</li>
 *   <li>an event without a country claim follows the configuration: refused (403, nothing sent) under
 *       require-context or a RESTRICTED default (the table's or the configuration's: there is no subject), else
 *       INTERNAL and served in the tables' regions;</li>
 *   <li>nothing ever reaches us-east-1: the tables exist in the two EU regions only;</li>
 *   <li>a created order (201) is read back (200, the order; or 404 when the read failed over to the EU region it
 *       has not replicated to yet);</li>
 *   <li>with eu-west-1 given up and still black-holed, an order that may be stored is stored (201) and none of its
 *       writes is sent to eu-west-1: they start in eu-central-1 (its read may still send eu-west-1 a detached
 *       trial).</li>
 * </ol>
 * The function's writes are all guarded (create-if-absent order, the idempotency store's claims) and may move after
 * a failure that may have been applied, so "at most one region" is not an invariant here (see docs/exactly-once.md).
 */
class OrdersInvariantPropertyIT {
    private static final List<String> EU = List.of("eu-west-1", "eu-central-1");
    /** Reads of a German subject's missing order that may make eu-west-1 suspect, at most. */
    private static final int MAX_PRIMING_READS = 60;
    /** The writes of an order: the idempotency store's claim and completion, the order item. */
    private static final Set<String> WRITES = Set.of("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems");
    private static LocalRegions regions;
    private static final Map<Config, Orders> ORDERS = new EnumMap<>(Config.class);
    private static final Map<Config, OrdersHandler> HANDLERS = new EnumMap<>(Config.class);

    /** The country claim of the event. */
    enum Claim {
        DE("DE"), US("US"), ABSENT(null), MALFORMED("D1");

        final String country;

        Claim(String country) {
            this.country = country;
        }
    }

    /** The function's configuration on top of {@link OrdersTestSupport#environment}. */
    enum Config {
        TABLE_DEFAULT, NOTHING, REQUIRE_CONTEXT, RESTRICTED_BY_DEFAULT;

        Map<String, String> environment() {
            Map<String, String> env = new HashMap<>(OrdersTestSupport.environment(regions, "us-east-1"));
            // eu-west-1 is made suspect again and again (5 hedges each time): more than the default budget holds, and
            // a spent budget turns those reads into attempt timeouts (sdk-core's RefusedHedgeIT), seconds each.
            env.put("MERIDIAN_HEDGE_BUDGET_BURST", "500");
            if (this != TABLE_DEFAULT) {
                env.remove("MERIDIAN_DYNAMODB_TABLE_ORDERS_DEFAULT_DATA_CLASS");
                env.remove("MERIDIAN_DYNAMODB_TABLE_ORDERS_IDEMPOTENCY_DEFAULT_DATA_CLASS");
            }
            if (this == REQUIRE_CONTEXT) {
                env.put("MERIDIAN_REQUIRE_CONTEXT", "true");
            } else if (this == RESTRICTED_BY_DEFAULT) {
                env.put("MERIDIAN_DEFAULT_DATA_CLASS", "RESTRICTED");
            }
            return env;
        }
    }

    /** A fault in one region for the duration of the try. */
    enum Fault {
        NONE, EU_WEST_REFUSED, EU_CENTRAL_500, US_EAST_BLACKHOLE,
        /**
         * eu-west-1, where the tables are, black-holed until the function's runtime gave it up (suspect: its hedged
         * reads left it unanswered; or ejected), then the order: its writes start in eu-central-1.
         */
        EU_WEST_GIVEN_UP;

        /** Injects the fault; what the function's runtime then says of eu-west-1. */
        String inject(OrdersHandler handler, Orders orders) {
            switch (this) {
                case EU_WEST_REFUSED -> regions.faults("eu-west-1").down();
                case EU_CENTRAL_500 -> regions.faults("eu-central-1").status(500);
                case US_EAST_BLACKHOLE -> regions.faults("us-east-1").blackhole();
                case EU_WEST_GIVEN_UP -> blackholeUntilGivenUp(orders, "eu-west-1");
                default -> { }
            }
            RegionStatus s = orders.runtime().status(Region.of("eu-west-1"));
            return s.suspect() ? "suspect" : s.breaker().toString();
        }
    }

    /**
     * Black-holes {@code region} and looks up an order that does not exist (a German subject's eventually consistent
     * read, hedged: the handler's GET reads consistently, which is never hedged) until the runtime stops planning
     * calls there first: suspect, or its breaker not closed.
     */
    private static void blackholeUntilGivenUp(Orders orders, String region) {
        regions.faults(region).blackhole();
        for (int i = 0; i < MAX_PRIMING_READS; i++) {
            RegionStatus s = orders.runtime().status(Region.of(region));
            if (s.suspect() || s.breaker() != RegionStatus.BreakerState.CLOSED) {
                return;
            }
            String orderId = "given-up-" + i;
            try (RoutingContext.Scope scope = EventRouting.contextOf(OrdersHandlerIT.get(orderId, "DE")).open()) {
                orders.dynamo().getItem(g -> g.tableName(orders.ordersTable())
                        .key(Map.of("pk", AttributeValue.fromS(orderId))));
            } catch (RuntimeException e) {
                // A read that found no region to answer it is what giving the region up is about.
            }
        }
        throw new AssertionError(region + " neither suspect nor ejected after " + MAX_PRIMING_READS
                + " reads while black-holed: " + orders.runtime().status(Region.of(region)));
    }

    @BeforeContainer
    static void start() {
        regions = LocalRegions.start("eu-west-1", "eu-central-1", "us-east-1");
        OrdersTestSupport.createTables(regions);
        regions.regions().forEach(r -> regions.journal(r).keepBodies());
    }

    @AfterContainer
    static void stop() {
        ORDERS.values().forEach(Orders::close);
        ORDERS.clear();
        HANDLERS.clear();
        if (regions != null) {
            regions.close();
        }
    }

    /** The configuration's handler, built once and warmed up (a DE lookup, until the first call is not cold). */
    private static OrdersHandler handler(Config config) {
        return HANDLERS.computeIfAbsent(config, c -> {
            Orders orders = Orders.fromEnvironment(c.environment(), new Properties());
            ORDERS.put(c, orders);
            OrdersHandler handler = new OrdersHandler(orders);
            Awaitility.await("warm-up of " + c).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> handler.handleRequest(
                            OrdersHandlerIT.get("warm-up", "DE"), new TestContext(30_000)).getStatusCode() == 404);
            return handler;
        });
    }

    @Property(tries = 60)
    void ordersStayInTheirJurisdictionAndEventsWithoutAClaimFollowTheConfiguration(@ForAll Claim claim,
            @ForAll Config config, @ForAll Fault fault) {
        OrdersHandler handler = handler(config);
        String id = UUID.randomUUID().toString();
        regions.journalsClear();
        int status;
        String body;
        int read = 0;
        String readBody = "";
        try {
            Statistics.label("eu-west-1 when posted").collect(fault.inject(handler, ORDERS.get(config)));
            regions.journalsClear();
            APIGatewayV2HTTPEvent post = OrdersHandlerIT.post("key-" + id, "DE", "{\"case\":\"" + id + "\"}");
            claims(post, claim);
            APIGatewayV2HTTPResponse created = answer(handler, post);
            status = created.getStatusCode();
            body = created.getBody();
            if (status == 201) {
                String orderId = created.getBody().replaceAll(".*\"orderId\":\"([^\"]+)\".*", "$1");
                APIGatewayV2HTTPEvent get = OrdersHandlerIT.get(orderId, "DE");
                claims(get, claim);
                APIGatewayV2HTTPResponse found = answer(handler, get);
                read = found.getStatusCode();
                readBody = found.getBody();
                Statistics.label("read").collect(read);
                id = id + "|" + orderId;
            }
        } finally {
            regions.healAll();
            if (fault == Fault.EU_WEST_GIVEN_UP) {
                // No read of a later try might come to clear it: each try starts from the same health.
                ORDERS.get(config).runtime().resetHealth();
            }
        }

        Set<String> allowed = allowed(claim, config);
        Set<String> reached = reached(id.split("\\|"));
        String c = claim + " " + config + " " + fault;
        Statistics.label("answer").collect(status);
        assertThat(reached).as("%s: regions the order reached (allowed %s)", c, allowed).isSubsetOf(allowed);
        assertThat(regions.journal("us-east-1").entries()).as("%s: us-east-1, where the tables do not exist", c)
                .isEmpty();
        if (allowed.isEmpty()) {
            assertThat(status).as(c).isEqualTo(403);
        }
        if (status == 201) {
            // The read is consistent, never hedged; one that failed over (its first region refused, failing or given
            // up) may be answered by the EU region the order has not replicated to yet: 404.
            assertThat(read).as("%s: the order read back: %s", c, readBody).isIn(200, 404);
            if (read == 200) {
                assertThat(readBody).as(c).contains(id.split("\\|")[0]);
            }
        }
        if (fault == Fault.EU_WEST_GIVEN_UP && !allowed.isEmpty()) {
            assertPastGivenUpRegion(c, config, id.split("\\|"), status, body);
        }
    }

    /**
     * Invariant 5. The idempotency key's record lives in its home region only (the store's STRICT mode, the
     * sample's): a key homed in the given-up eu-west-1 is claimed there or not at all, so that order is not stored
     * (an error answer) and nothing of it reaches eu-central-1; any other order is stored and none of its writes is
     * sent to eu-west-1.
     */
    private static void assertPastGivenUpRegion(String c, Config config, String[] ids, int status, String body) {
        Region home = ((DynamoDbIdempotencyStore) ORDERS.get(config).idempotency().store()).homeRegion("key-" + ids[0])
                .orElseThrow();
        Statistics.label("idempotency key's home").collect(home.id());
        if (home.id().equals("eu-west-1")) {
            assertThat(status).as("%s: an order whose key is homed in the given-up region: %s", c, body)
                    .isNotEqualTo(201);
            assertThat(writes("eu-central-1", ids)).as("%s: writes of an order whose key is homed in eu-west-1", c)
                    .isEmpty();
        } else {
            assertThat(status).as("%s: the order past the given-up eu-west-1: %s", c, body).isEqualTo(201);
            assertThat(writes("eu-west-1", ids)).as("%s: writes sent to the given-up eu-west-1", c).isEmpty();
        }
    }

    /** The write requests {@code region} received that mention one of {@code ids}. */
    private static List<RequestJournal.Entry> writes(String region, String... ids) {
        return regions.journal(region).entries().stream().filter(e -> WRITES.contains(e.operation()))
                .filter(e -> e.body().filter(b -> List.of(ids).stream().anyMatch(b::contains)).isPresent())
                .toList();
    }

    /** The event's claims: {@code sub} and the claim's country, if any. */
    private static void claims(APIGatewayV2HTTPEvent event, Claim claim) {
        Map<String, String> claims = new HashMap<>(Map.of("sub", "user-1"));
        if (claim.country != null) {
            claims.put(EventRouting.COUNTRY_CLAIM, claim.country);
        }
        event.getRequestContext().getAuthorizer().getJwt().setClaims(claims);
    }

    /** The handler's answer; an exception (which Lambda reports as the invocation's error) as a 500. */
    private static APIGatewayV2HTTPResponse answer(OrdersHandler handler, APIGatewayV2HTTPEvent event) {
        try {
            return handler.handleRequest(event, new TestContext(30_000));
        } catch (RuntimeException e) {
            return APIGatewayV2HTTPResponse.builder().withStatusCode(500).withBody(e.toString()).build();
        }
    }

    /**
     * The regions an order of this case may reach: the EU regions for a DE subject (RESTRICTED) and for an event
     * without a claim under no fail-closed setting (INTERNAL, bound to the tables' regions); nothing for a US or
     * unmapped subject (the tables replicate outside their jurisdiction) or an event without a claim when
     * require-context or a RESTRICTED default (no subject, no jurisdiction) applies.
     */
    private static Set<String> allowed(Claim claim, Config config) {
        return switch (claim) {
            case DE -> Set.copyOf(EU);
            case US, MALFORMED -> Set.of();
            case ABSENT -> config == Config.NOTHING ? Set.copyOf(EU) : Set.of();
        };
    }

    /** The regions whose journal has a request mentioning one of {@code ids}. */
    private static Set<String> reached(String... ids) {
        Set<String> reached = new LinkedHashSet<>();
        for (String region : regions.regions()) {
            for (RequestJournal.Entry e : regions.journal(region).entries()) {
                for (String id : ids) {
                    if (e.body().filter(b -> b.contains(id)).isPresent()) {
                        reached.add(region);
                    }
                }
            }
        }
        return reached;
    }
}
