package dev.meridian.spring;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.execution.FailureClassifier;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.spi.MultiRegionSpi;
import dev.meridian.core.spi.RegionalBind;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import java.util.function.BiFunction;
import java.util.function.Function;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Where the session store's calls meet sdk-core's router: each read and write is one routed call over the plan the
 * router makes for the session's context (residency of its data class and subject, the table's replica regions,
 * health, the session's region first as {@link RoutingContext#preferredRegion()}), and the executor decides with
 * {@link FailureClassifier#aws()} and the call's {@link OperationKind} whether a failure moves it to the next region.
 * The store says only what a region's answer means (a replica behind the session's version is turned down) and what
 * kind each call is; it never picks or walks regions itself. Before any call the table's replica footprint is
 * checked against the context, as the routed client's own calls are. Thread-safe.
 */
final class SessionCalls {
    private final String table;
    private final MultiRegion runtime;
    private final MultiRegionSpi spi;
    private final MultiRegionDynamoDb.Shared shared;

    SessionCalls(MultiRegionDynamoDb.Shared shared, String table) {
        this.table = table;
        this.shared = shared;
        this.runtime = shared.runtime();
        this.spi = MultiRegionSpi.of(runtime);
    }

    MultiRegion runtime() {
        return runtime;
    }

    /**
     * A read: the router's plan walked one region at a time (never hedged); {@code work} may turn a region down (a
     * replica behind the session's last version), and the next planned region is tried.
     *
     * @throws dev.meridian.core.execution.NoRegionAvailableException when no region gave a result
     */
    <T> T read(RoutingContext ctx, RegionalBind<T, RuntimeException> work) {
        Operation op = operation("session.read", OperationKind.READ);
        checkFootprint(op, ctx);
        return spi.bind(op, ctx, FailureClassifier.aws(), work);
    }

    /**
     * A write of {@code kind}: the executor sends it to the plan's next region only when the failure allows it for
     * that kind ({@link dev.meridian.core.execution.FailureDecision#movesOn}).
     */
    <T> T write(String name, OperationKind kind, RoutingContext ctx, BiFunction<Region, DynamoDbClient, T> call) {
        Operation op = operation(name, kind);
        checkFootprint(op, ctx);
        return spi.execute(op, ctx, inRegion(call));
    }

    /** Runs {@code call} on the region's client and tells the clients when the region answered. */
    <T> T in(Region region, BiFunction<Region, DynamoDbClient, T> call) {
        return inRegion(call).apply(region);
    }

    /** {@code request} with the runtime's first-attempt budget while the region's client is still cold. */
    <Q> Q firstAttempt(Region region, Q request) {
        return shared.clients().firstAttempt(region, request, runtime.config().firstAttemptTimeout());
    }

    /** The region the router would send a session write to first now (residency, health, strategy). */
    Region firstPlanned(RoutingContext ctx) {
        Operation op = operation("session.create", OperationKind.IDEMPOTENT_WRITE);
        return spi.plan(op, ctx).regions().get(0);
    }

    private <T> Function<Region, T> inRegion(BiFunction<Region, DynamoDbClient, T> call) {
        return region -> {
            try {
                T result = call.apply(region, shared.clients().get(region));
                shared.clients().answered(region);
                return result;
            } catch (AwsServiceException e) {
                shared.clients().answered(region);
                throw e;
            }
        };
    }

    private Operation operation(String name, OperationKind kind) {
        return Operation.builder(name, kind).resource(table).within(shared.replicaRegions(table)).build();
    }

    /** Residency: a table replicating outside the context's regions is refused before anything is sent. */
    private void checkFootprint(Operation op, RoutingContext ctx) {
        if (spi.footprintMatters(ctx)) {
            spi.checkResidency(op, ctx, shared.replicaRegions(table));
        }
    }
}
