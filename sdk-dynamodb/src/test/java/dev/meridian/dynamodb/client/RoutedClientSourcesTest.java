package dev.meridian.dynamodb.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Keeps the checked-in routed clients in step with the AWS SDK: they must be exactly what
 * {@link RoutedClientSources} generates, and every public method of the SDK interfaces must be either implemented
 * by them or a default convenience overload that calls an implemented method (a consumer builder or a no-argument
 * form). A method the SDK adds later fails this test until the sources are regenerated.
 */
class RoutedClientSourcesTest {

    @Test
    void checkedInSourcesAreWhatTheGeneratorProducesForThisSdk() throws Exception {
        if (Boolean.getBoolean("meridian.regenerate")) {
            RoutedClientSources.write();
        }
        assertThat(Files.readString(RoutedClientSources.DIR.resolve("RoutedDynamoDbClient.java")))
                .as("RoutedDynamoDbClient.java is stale: regenerate it (see RoutedClientSources)")
                .isEqualTo(RoutedClientSources.sync());
        assertThat(Files.readString(RoutedClientSources.DIR.resolve("RoutedDynamoDbAsyncClient.java")))
                .as("RoutedDynamoDbAsyncClient.java is stale: regenerate it (see RoutedClientSources)")
                .isEqualTo(RoutedClientSources.async());
    }

    @Test
    void everyPublicMethodOfTheSyncClientIsRoutedOrAnOverloadOfARoutedOne() throws Exception {
        assertThat(uncovered(DynamoDbClient.class, RoutedDynamoDbClient.class)).isEmpty();
    }

    @Test
    void everyPublicMethodOfTheAsyncClientIsRoutedOrAnOverloadOfARoutedOne() throws Exception {
        assertThat(uncovered(DynamoDbAsyncClient.class, RoutedDynamoDbAsyncClient.class)).isEmpty();
    }

    private static List<String> uncovered(Class<?> iface, Class<?> routed) throws Exception {
        List<String> out = new ArrayList<>();
        for (Method m : RoutedClientSources.methods(iface)) {
            Method impl = routed.getMethod(m.getName(), m.getParameterTypes());
            if (impl.getDeclaringClass() == routed) {
                continue;
            }
            boolean overload = m.isDefault() && (m.getParameterCount() == 0
                    || m.getParameterCount() == 1 && m.getParameterTypes()[0] == Consumer.class);
            boolean backedByRoutedMethod = false;
            for (Method r : routed.getDeclaredMethods()) {
                if (r.getName().equals(m.getName()) && r.getParameterCount() == 1) {
                    backedByRoutedMethod = true;
                }
            }
            if (!overload || !backedByRoutedMethod) {
                out.add(m.toGenericString());
            }
        }
        return out;
    }
}
