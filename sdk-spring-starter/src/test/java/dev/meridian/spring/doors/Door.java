package dev.meridian.spring.doors;

import org.springframework.boot.WebApplicationType;

/**
 * A way a request reaches application code that makes a DynamoDB call: each is an endpoint
 * {@code PUT /doors/<path>/{table}/{id}} of {@link ServletDoorsApp} or {@link ReactiveDoorsApp} that writes item
 * {@code id} into {@code table} through the starter's routed clients (204 when written, 403 when residency refused
 * it), and {@code GET /doors/<path>/{table}/{id}?shape=...} that reads it back the way {@link DoorReads.Shape} says
 * (200 with its value, 403 when residency refused it).
 */
public enum Door {
    /** The handler writes with the sync client on the request's thread. */
    SERVLET_SYNC("sync", WebApplicationType.SERVLET),
    /** The handler returns a {@code Callable} (Spring MVC's async executor). */
    CALLABLE("callable", WebApplicationType.SERVLET),
    /** The handler returns a {@code WebAsyncTask}. */
    WEB_ASYNC_TASK("web-async-task", WebApplicationType.SERVLET),
    /** The handler returns a {@code DeferredResult} completed by a task on the application task executor. */
    DEFERRED_RESULT("deferred", WebApplicationType.SERVLET),
    /** The handler calls an {@code @Async} method. */
    ASYNC_METHOD("async-method", WebApplicationType.SERVLET),
    /**
     * The handler writes with the routed async client, then writes again in {@code thenCompose}: the second write
     * runs on the thread that completed the first (an SDK thread). The first goes to {@value DoorsFixture#EU_TABLE}.
     * Its read reads the item with the async client, then again, the way the shape says, on the thread that
     * completed the first read.
     */
    FUTURE_THEN_COMPOSE("then-compose", WebApplicationType.SERVLET),
    /**
     * A WebFlux handler writes with the async client (reads with the shape's client) on another scheduler, without
     * {@code MeridianReactive}.
     */
    WEBFLUX("webflux", WebApplicationType.REACTIVE);

    private final String path;
    private final WebApplicationType type;

    Door(String path, WebApplicationType type) {
        this.path = path;
        this.type = type;
    }

    /** The request path writing {@code id} into {@code table}. */
    public String uri(String table, String id) {
        return "/doors/" + path + "/" + table + "/" + id;
    }

    /** The request path reading {@code id} from {@code table} the way {@code shape} says. */
    public String readUri(String table, String id, DoorReads.Shape shape) {
        return uri(table, id) + "?shape=" + shape;
    }

    /** The kind of application that has this door. */
    public WebApplicationType type() {
        return type;
    }
}
