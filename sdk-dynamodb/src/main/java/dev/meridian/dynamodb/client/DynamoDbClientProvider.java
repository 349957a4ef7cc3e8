package dev.meridian.dynamodb.client;

import static org.apiguardian.api.API.Status.INTERNAL;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.RegionalClientFactory;
import dev.meridian.core.spi.ClientProvider;
import org.apiguardian.api.API;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Makes {@code MultiRegion.wrap(DynamoDbClient.class, …)} (and the async client) return the same client as
 * {@link MultiRegionDynamoDb}, with its residency footprint checks and paginator handling, instead of the generic
 * proxy: one client per service. Tables are those the client learns through {@code DescribeTable}; configure
 * {@link TableConfig} through {@link MultiRegionDynamoDb#builder()} instead when they matter. Registered through
 * {@code META-INF/services}.
 */
@API(status = INTERNAL, since = "0.1")
public final class DynamoDbClientProvider implements ClientProvider {

    @Override
    public boolean serves(Class<?> clientInterface) {
        return clientInterface == DynamoDbClient.class || clientInterface == DynamoDbAsyncClient.class;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <C> C open(Class<C> clientInterface, MultiRegion runtime, RegionalClientFactory<C> factory,
            boolean ownsRuntime) {
        MultiRegionDynamoDb.Builder b = MultiRegionDynamoDb.builder().multiRegion(runtime);
        if (ownsRuntime) {
            b.ownsRuntime();
        }
        if (clientInterface == DynamoDbClient.class) {
            return clientInterface.cast(b.regionalClientFactory((RegionalClientFactory<DynamoDbClient>) factory)
                    .buildClient());
        }
        if (clientInterface == DynamoDbAsyncClient.class) {
            return clientInterface.cast(b.regionalAsyncClientFactory(
                    (RegionalClientFactory<DynamoDbAsyncClient>) factory).buildAsyncClient());
        }
        throw new IllegalArgumentException("DynamoDbClientProvider does not serve " + clientInterface.getName());
    }
}
