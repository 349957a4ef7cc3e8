package dev.meridian.samples.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.meridian.core.SnapshotHooks;
import dev.meridian.core.execution.NoRegionAvailableException;
import dev.meridian.core.idempotency.IdempotencyInProgressException;
import dev.meridian.core.idempotency.IdempotencyKeyReuseException;
import dev.meridian.core.idempotency.ResultCodec;
import dev.meridian.core.residency.ResidencyViolationException;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.idempotency.LambdaIdempotency;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * The orders API behind an API Gateway HTTP API, on Meridian:
 *
 * <ul>
 *   <li>{@code POST /orders} with an {@code Idempotency-Key} header and a JSON object body: stores the order once per
 *       key (a retry, from the client or from another region, gets the first call's order id) and answers
 *       {@code 201 {"orderId": ...}};</li>
 *   <li>{@code GET /orders/{id}}: the stored order, or 404.</li>
 * </ul>
 *
 * <p>Everything Meridian needs is built once per execution environment, when Lambda creates the handler
 * ({@link Orders#fromEnvironment()}); each request runs under the {@link RoutingContext} of its event
 * ({@link EventRouting}) and the in-progress claim of its key lasts as long as the invocation may still run
 * ({@link LambdaIdempotency}). Caller errors are answered with 4xx; a residency refusal with 403, a duplicate still
 * in progress with 409, a key reused with another body with 422, no region available with 503. Anything else is
 * thrown, so Lambda reports it as the invocation's error (type and message).
 */
public final class OrdersHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final String PK = "pk";
    private static final ResultCodec<String> ORDER_ID = ResultCodec.string();

    /** Priming runs one lookup of an order that does not exist, for a subject in this country (EU orders). */
    static final String PRIMING_COUNTRY = "DE";

    private final Orders orders;
    /** Held here because a CRaC context may hold its resources weakly. */
    private final SnapshotHooks snapshotHooks;

    /**
     * The handler Lambda instantiates: built from the environment, with Meridian's snapshot hooks registered for
     * SnapStart (a no-op without it): before the snapshot, one priming lookup, then the per-region connections are
     * closed; after a restore, a new clock node id, fresh breakers and latency estimates, a new routing random seed
     * and no cached {@code DescribeTable} result. The hooks reach the routed client and its per-region clients through
     * the runtime: nothing else needs registering.
     */
    public OrdersHandler() {
        this(Orders.fromEnvironment());
    }

    OrdersHandler(Orders orders) {
        this.orders = Objects.requireNonNull(orders, "orders");
        this.snapshotHooks = SnapshotHooks.builder(orders.runtime()).priming(this::prime).build().register();
    }

    SnapshotHooks snapshotHooks() {
        return snapshotHooks;
    }

    /** A lookup through the whole path (event, context, routing, SDK, DynamoDB), so its classes are in the snapshot. */
    void prime() {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setRawPath("/orders/priming-" + UUID.randomUUID());
        event.setRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build())
                .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                        .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                                .withClaims(Map.of(EventRouting.COUNTRY_CLAIM, PRIMING_COUNTRY)).build())
                        .build())
                .build());
        handleRequest(event, null);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        Objects.requireNonNull(event, "event");
        String method = event.getRequestContext() == null || event.getRequestContext().getHttp() == null ? ""
                : event.getRequestContext().getHttp().getMethod();
        String path = event.getRawPath() == null ? "" : event.getRawPath();
        try (RoutingContext.Scope scope = EventRouting.contextOf(event).open()) {
            if ("POST".equals(method) && path.equals("/orders")) {
                return create(event, context);
            }
            if ("GET".equals(method) && path.startsWith("/orders/") && path.length() > "/orders/".length()) {
                return find(path.substring("/orders/".length()));
            }
            return error(404, "NotFound", "no route " + method + ' ' + path);
        } catch (ResidencyViolationException e) {
            return error(403, "ResidencyViolation", e.getMessage());
        } catch (IdempotencyInProgressException e) {
            return error(409, "InProgress", e.getMessage());
        } catch (IdempotencyKeyReuseException e) {
            return error(422, "IdempotencyKeyReused", e.getMessage());
        } catch (NoRegionAvailableException e) {
            return error(503, "NoRegionAvailable", e.getMessage());
        }
    }

    private APIGatewayV2HTTPResponse create(APIGatewayV2HTTPEvent event, Context context) {
        Optional<String> key = EventRouting.header(event, "Idempotency-Key");
        if (key.isEmpty()) {
            return error(400, "MissingIdempotencyKey", "POST /orders needs an Idempotency-Key header");
        }
        String body = body(event);
        JsonNode order;
        try {
            order = JsonNode.parser().parse(body);
        } catch (RuntimeException e) {
            return error(400, "InvalidBody", "the body is not JSON");
        }
        if (!order.isObject()) {
            return error(400, "InvalidBody", "the body must be a JSON object");
        }
        String country = EventRouting.country(event).orElse("");
        String orderId = LambdaIdempotency.execute(orders.idempotency(), context, key.get(), body,
                () -> store(body, country), ORDER_ID);
        return response(201, "{\"orderId\":" + Json.quote(orderId) + '}');
    }

    /** Runs once per idempotency key: a new order item, never overwriting one. */
    private String store(String body, String country) {
        String orderId = UUID.randomUUID().toString();
        orders.dynamo().putItem(p -> p.tableName(orders.ordersTable())
                .item(Map.of(PK, AttributeValue.fromS(orderId),
                        "order", AttributeValue.fromS(body),
                        "country", AttributeValue.fromS(country),
                        "createdAt", AttributeValue.fromS(Instant.now().toString())))
                .conditionExpression("attribute_not_exists(" + PK + ")"));
        return orderId;
    }

    /**
     * A strongly consistent read: Meridian sends it to the region the order's write went to first (the same order of
     * regions) and never hedges it to another region, whose copy may not have the order yet (a 404 right after the
     * 201). When that region fails, it still fails over, and the order may then not have replicated yet.
     */
    private APIGatewayV2HTTPResponse find(String orderId) {
        GetItemResponse r = orders.dynamo().getItem(g -> g.tableName(orders.ordersTable())
                .key(Map.of(PK, AttributeValue.fromS(orderId))).consistentRead(true));
        if (!r.hasItem() || r.item().isEmpty()) {
            return error(404, "NotFound", "no order " + orderId);
        }
        Map<String, AttributeValue> item = r.item();
        return response(200, "{\"orderId\":" + Json.quote(orderId)
                + ",\"createdAt\":" + Json.quote(item.get("createdAt").s())
                + ",\"order\":" + item.get("order").s() + '}');
    }

    private static String body(APIGatewayV2HTTPEvent event) {
        String body = event.getBody() == null ? "" : event.getBody();
        return event.getIsBase64Encoded()
                ? new String(java.util.Base64.getDecoder().decode(body), StandardCharsets.UTF_8) : body;
    }

    private static APIGatewayV2HTTPResponse error(int status, String code, String message) {
        return response(status, "{\"error\":" + Json.quote(code) + ",\"message\":" + Json.quote(message) + '}');
    }

    private static APIGatewayV2HTTPResponse response(int status, String json) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(Map.of("Content-Type", "application/json"))
                .withBody(json)
                .build();
    }
}
