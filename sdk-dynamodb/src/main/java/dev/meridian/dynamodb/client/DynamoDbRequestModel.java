package dev.meridian.dynamodb.client;

import dev.meridian.core.spi.RegionalClients;
import dev.meridian.core.spi.RequestModel;
import dev.meridian.core.spi.RoutedClient;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.dynamodb.client.DynamoDbOperationClassifier.Classification;
import dev.meridian.dynamodb.client.TableCatalog.Described;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * What {@link RoutedDynamoDbClient} hands every call to: the DynamoDB {@link RequestModel} (classification with
 * key schemas learned through a routed {@code DescribeTable}, the residency footprint check before anything is
 * sent, read-your-writes bookkeeping) and the sdk-core {@link RoutedClient} it drives, with what the client owns
 * (per-region clients, closeables). Thread-safe.
 */
final class DynamoDbRequestModel implements RequestModel<DynamoDbRequest, Object>, Function<String, Described>,
        AutoCloseable {
    private final DynamoDbRouting routing;
    private final RegionalClients<DynamoDbClient> clients;
    private final DynamoDbOperationClassifier classifier;
    /**
     * Its classification of a call is a {@link Classification}, or the call's {@link Operation} alone when that is all
     * routing needs (see {@link #classify}).
     */
    private final RoutedClient<DynamoDbClient, DynamoDbRequest, Object> engine;
    private final List<AutoCloseable> closeables;

    DynamoDbRequestModel(DynamoDbRouting routing, RegionalClients<DynamoDbClient> clients,
            Map<String, TableConfig> settings, List<AutoCloseable> closeables) {
        this.routing = Objects.requireNonNull(routing, "routing");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.classifier = routing.classifier(settings, this);
        this.engine = new RoutedClient<>(routing.runtime(), clients, this);
        this.closeables = List.copyOf(closeables);
    }

    /** Routes one call of {@code operation} under {@code ctx}; the response is the operation's. */
    Object call(RoutedDynamoDbClient.Call operation, DynamoDbRequest request, RoutingContext ctx) {
        return engine.call(operation.name, request, routing.contextFor(operation.name, request, ctx), operation);
    }

    /**
     * What features built on the client share with it: a view made when asked for, over this model's routing, its
     * clients and itself as the describe function; not loaded by a cold start.
     */
    MultiRegionDynamoDb.Shared shared() {
        return new MultiRegionDynamoDb.Shared(routing, clients, this);
    }

    DynamoDbClient localClient() {
        return clients.get(routing.runtime().config().localRegion());
    }

    DynamoDbWaiter waiter(DynamoDbClient pinnedView) {
        return DynamoDbWaiter.builder().client(pinnedView).build();
    }

    /**
     * Classifies under {@code ctx}; a {@code DescribeTable} this needs is routed under it too. A {@code GetItem} of a
     * configured table with nothing to check before it and nothing to record after it (no footprint check, no
     * read-your-writes marks: most reads) is classified as its {@link Operation} alone: one object per call less,
     * whatever the JIT inlined (see {@link DynamoDbOperationClassifier#readOperation}).
     */
    @Override
    public Object classify(String operation, DynamoDbRequest request, RoutingContext ctx) {
        Operation alone = routing.operationAlone(classifier, operation, request, ctx);
        return alone != null ? alone : ShapedClassification.classifyUnder(classifier, operation, request, ctx);
    }

    @Override
    public Operation operation(Object classified, RoutingContext ctx) {
        return routing.operationOf(classified, ctx);
    }

    @Override
    public void beforeCall(Object classified, DynamoDbRequest request, RoutingContext ctx) {
        // Most contexts have nothing to check and nothing to describe: no thread-local lookup for them. A read
        // classified as its operation alone is under such a context (see classify: whether the footprint matters
        // depends on the context and the configuration only).
        // Asked as "an Operation alone?" first: Classification is then not loaded by a cold start's first read.
        if (classified instanceof Operation || !routing.footprintMatters(ctx)) {
            return;
        }
        ShapedRouting.checkResidencyUnder(routing, (Classification) classified, ctx, this);
    }

    @Override
    public void afterSuccess(Object classified, DynamoDbRequest request, RoutingContext ctx, Region served,
            Object response) {
        routing.afterSuccessOf(classified, ctx, request, served, response);
    }

    /**
     * A routed {@code DescribeTable} under the current context (the call's, see {@link #classify}): the model is its
     * own describe function, as a method reference would be a class spun at every cold start.
     */
    @Override
    public Described apply(String table) {
        return DescribedTables.describe(routing.runtime(), clients, table);
    }

    @Override
    public void close() {
        MultiRegionDynamoDb.closeAll(closeables);
    }

    @Override
    public String toString() {
        return "MultiRegionDynamoDbClient" + routing.runtime().config().regionList();
    }
}
