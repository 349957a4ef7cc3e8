package dev.meridian.dynamodb.client;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.core.pagination.sync.SdkIterable;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbAsyncWaiter;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * Calls any public method of a DynamoDB client interface with a minimal argument (a request, a consumer of its
 * builder, or nothing) naming a table and a key where the request has them, and uses what it returns (pages,
 * publishers, waiters) later. For the residency invariant tests: failures are expected (refusals, DynamoDB Local
 * rejecting a half-filled request) and ignored — the request journals are the witness.
 */
final class EveryMethod {
    /** One poll is enough to see where a waiter's requests go; the default polls for minutes. */
    private static final WaiterOverrideConfiguration ONE_POLL = WaiterOverrideConfiguration.builder().maxAttempts(1)
            .build();

    private EveryMethod() {
    }

    static Object invoke(Object client, Method method, String table) throws Exception {
        Object[] args = new Object[method.getParameterCount()];
        if (args.length == 1) {
            Class<?> type = method.getParameterTypes()[0];
            if (type == Consumer.class) {
                Type arg = ((ParameterizedType) method.getGenericParameterTypes()[0]).getActualTypeArguments()[0];
                Class<?> builderType = arg instanceof Class<?> c ? c : (Class<?>) ((ParameterizedType) arg).getRawType();
                args[0] = (Consumer<Object>) b -> fill(builderType, b, table);
            } else {
                Method builderMethod = type.getMethod("builder");
                Object builder = builderMethod.invoke(null);
                fill(builderMethod.getReturnType(), builder, table);
                args[0] = builderMethod.getReturnType().getMethod("build").invoke(builder);
            }
        }
        try {
            Object result = method.invoke(client, args);
            if (result instanceof CompletableFuture<?> f) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // Refused, rejected by DynamoDB Local or unsupported there: the journal is the witness.
                }
            }
            return result;
        } catch (InvocationTargetException e) {
            return null;
        }
    }

    /** Names the table (and a key, an item) on a request builder when it has such properties. */
    private static void fill(Class<?> builderType, Object builder, String table) {
        for (Method m : builderType.getMethods()) {
            try {
                if (m.getName().equals("tableName") && m.getParameterCount() == 1
                        && m.getParameterTypes()[0] == String.class) {
                    m.invoke(builder, table);
                } else if ((m.getName().equals("key") || m.getName().equals("item")) && m.getParameterCount() == 1
                        && m.getParameterTypes()[0] == Map.class) {
                    m.invoke(builder, Map.of("pk", AttributeValue.fromS("p-1")));
                } else if (m.getName().equals("keyConditionExpression") && m.getParameterCount() == 1
                        && m.getParameterTypes()[0] == String.class) {
                    m.invoke(builder, "pk = :p");
                } else if (m.getName().equals("expressionAttributeValues") && m.getParameterCount() == 1
                        && m.getParameterTypes()[0] == Map.class) {
                    m.invoke(builder, Map.of(":p", AttributeValue.fromS("p-1")));
                }
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // Not that kind of builder.
            }
        }
    }

    /** Uses pages, publishers and waiters (made earlier, e.g. inside a scope that has closed since). */
    static void useLater(Object made, String table) {
        try {
            if (made instanceof SdkIterable<?> pages) {
                pages.stream().limit(3).count();
            } else if (made instanceof SdkPublisher<?> publisher) {
                publisher.limit(3).subscribe(x -> { }).get(10, TimeUnit.SECONDS);
            } else if (made instanceof DynamoDbWaiter waiter) {
                waiter.waitUntilTableExists(DescribeTableRequest.builder().tableName(table).build(), ONE_POLL);
            } else if (made instanceof DynamoDbAsyncWaiter waiter) {
                waiter.waitUntilTableExists(DescribeTableRequest.builder().tableName(table).build(), ONE_POLL).get(10, TimeUnit.SECONDS);
            }
        } catch (Exception ignored) {
            // The journal is the witness.
        }
    }
}
