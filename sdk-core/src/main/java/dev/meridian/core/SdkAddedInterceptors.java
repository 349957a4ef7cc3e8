package dev.meridian.core;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.AwsServiceClientConfiguration;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.builder.SdkAsyncClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;

/**
 * Tells the execution interceptors an application gave its built SDK client from those the SDK added itself.
 *
 * <p>A built client lists every interceptor it runs, and a client built from a copy of that list adds the SDK's again.
 * What the SDK adds depends on the client's type and class path: interceptors its builders add in code, the global
 * interceptor files and the service's own ({@code software/amazon/awssdk/services/<service>/execution.interceptors}),
 * read through the SDK's internal {@code ClasspathInterceptorChainFactory}. Rather than guess from package names (an
 * SDK class the application added by hand is its own) or re-read those files (and miss what builders add in code),
 * this builds a plain client of the same type, which lists exactly what the SDK adds, and removes that many instances
 * of each class from the built client's list: an application's own instance of such a class stays.
 *
 * <p>Not cached: it runs once per application client copied (at start-up), and a plain client with an HTTP client that
 * opens nothing starts no thread and costs milliseconds; a cache would also pin what the class path registered when
 * it was first filled.
 */
final class SdkAddedInterceptors {
    private SdkAddedInterceptors() {
    }

    /** {@code built}'s interceptors without those a client of its type gets from the SDK, in their order. */
    static List<ExecutionInterceptor> applicationsOwn(SdkClient built) {
        Map<Class<?>, Integer> sdkAdded = new HashMap<>();
        for (ExecutionInterceptor i : addedBySdkTo(built)) {
            sdkAdded.merge(i.getClass(), 1, Integer::sum);
        }
        List<ExecutionInterceptor> own = new ArrayList<>();
        // The SDK puts its own before the application's, so the first instances of a class are the SDK's.
        for (ExecutionInterceptor i : interceptorsOf(built)) {
            Integer left = sdkAdded.get(i.getClass());
            if (left != null && left > 0) {
                sdkAdded.put(i.getClass(), left - 1);
            } else {
                own.add(i);
            }
        }
        return own;
    }

    private static List<ExecutionInterceptor> interceptorsOf(SdkClient client) {
        return client.serviceClientConfiguration().overrideConfiguration().executionInterceptors();
    }

    /**
     * The interceptors of a client of {@code built}'s type with nothing set but what building it needs (region,
     * credentials, an HTTP client that is never called).
     */
    private static List<ExecutionInterceptor> addedBySdkTo(SdkClient built) {
        SdkClientBuilder<?, ?> b = builderOf(built.getClass());
        if (b instanceof AwsClientBuilder<?, ?> aws) {
            aws.credentialsProvider(AnonymousCredentialsProvider.create());
            if (built.serviceClientConfiguration() instanceof AwsServiceClientConfiguration c && c.region() != null) {
                aws.region(c.region());
            }
        }
        if (b instanceof SdkSyncClientBuilder<?, ?> sync) {
            sync.httpClient(NoHttp.INSTANCE);
        }
        if (b instanceof SdkAsyncClientBuilder<?, ?> async) {
            async.httpClient(NoHttp.INSTANCE);
        }
        try (SdkClient plain = (SdkClient) b.build()) {
            return interceptorsOf(plain);
        }
    }

    /** A new builder from the client interface {@code type} implements (e.g. {@code DynamoDbClient.builder()}). */
    private static SdkClientBuilder<?, ?> builderOf(Class<?> type) {
        Deque<Class<?>> types = new ArrayDeque<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            types.add(c);
        }
        while (!types.isEmpty()) {
            Class<?> t = types.poll();
            Method builder = staticBuilder(t);
            if (builder != null) {
                try {
                    return (SdkClientBuilder<?, ?>) builder.invoke(null);
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("Cannot make a plain " + t.getName() + " to tell the interceptors"
                            + " the SDK adds from those of the application's " + type.getName(), e);
                }
            }
            types.addAll(List.of(t.getInterfaces()));
        }
        throw new IllegalArgumentException("Cannot tell the interceptors the SDK adds to a " + type.getName()
                + ": it implements no SDK client interface with a static builder(), such as DynamoDbClient; pass a"
                + " client the SDK built");
    }

    private static @Nullable Method staticBuilder(Class<?> type) {
        if (!type.isInterface() || !Modifier.isPublic(type.getModifiers())) {
            return null;
        }
        try {
            Method m = type.getMethod("builder");
            return Modifier.isStatic(m.getModifiers()) && SdkClientBuilder.class.isAssignableFrom(m.getReturnType())
                    ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** The plain client's HTTP client: it opens nothing when built, and the client is closed before any call. */
    private enum NoHttp implements SdkHttpClient, SdkAsyncHttpClient {
        INSTANCE;

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            throw new UnsupportedOperationException("a client built to list the SDK's interceptors makes no call");
        }

        @Override
        public CompletableFuture<Void> execute(AsyncExecuteRequest request) {
            return CompletableFuture.failedFuture(
                    new UnsupportedOperationException("a client built to list the SDK's interceptors makes no call"));
        }

        @Override
        public String clientName() {
            return "meridian-none";
        }

        @Override
        public void close() {
        }
    }
}
