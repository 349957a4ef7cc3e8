package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.execution.AnsweredAttempts;
import dev.meridian.testkit.ClassPathWithout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.meridiantest.HandAddedSdkInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * A per-region client made like an application's client ({@link RegionalClientDefaults#overrideConfigurationLike})
 * runs every interceptor as often as the application's client does, plus Meridian's response interceptor once: counted
 * on a real GetItem of real DynamoDB clients over an in-memory HTTP client. The class path registers one interceptor
 * in the global interceptor file and one in DynamoDB's service interceptor file; the application adds its own, one
 * shipped in an SDK package, and a second instance of the service file's. The SDK reads those files through its own
 * class loader, so the clients are made in a class loader of their own over the test class path and the files
 * ({@link CopyAndCall}), and every other test's clients are left without them.
 */
class CopiedClientInterceptorsTest {
    private static final StaticCredentialsProvider LOCAL =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));

    @TempDir
    Path registered;

    /**
     * Before, the SDK-package interceptor the application added by hand was dropped from the copy (it ran once on the
     * application's client, never on the copy), and the service file's ran once more on the copy (three times, not
     * two): the copy kept every interceptor outside the SDK's packages that the global file does not name.
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyInterceptorRunsOnTheCopyAsOftenAsOnTheApplicationsClient() throws IOException {
        register("software/amazon/awssdk/global/handlers/execution.interceptors", GlobalFileInterceptor.class);
        register("software/amazon/awssdk/services/dynamodb/execution.interceptors", ServiceFileInterceptor.class);
        Map<String, List<String>> seen;
        try (URLClassLoader testClassPath = ClassPathWithout.packages();
                URLClassLoader withFiles = new URLClassLoader(plus(List.of(testClassPath.getURLs()),
                        registered.toUri().toURL()).toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            seen = ((Supplier<Map<String, List<String>>>) ClassPathWithout.newInstance(withFiles, CopyAndCall.class))
                    .get();
        }
        Map<String, Long> onApp = counted(seen.get("app runs"));
        assertThat(onApp).as("the application's client, as the SDK built it").isEqualTo(Map.of(
                "GlobalFileInterceptor", 1L, "ServiceFileInterceptor", 2L, "ApplicationsInterceptor", 1L,
                "HandAddedSdkInterceptor", 1L));
        assertThat(counted(seen.get("copy runs"))).as("the copy: the application's client's runs and Meridian's once")
                .isEqualTo(plus(onApp, "HeardAtTheWire"));
        assertThat(seen.get("copy interceptors")).as("the SDK's own interceptors, which no test counts, listed as often")
                .containsExactlyElementsOf(plus(plus(seen.get("app interceptors"), HeardAtTheWire.class.getName()),
                        AnsweredAttempts.class.getName()));
    }

    /** Runs inside the class loader that sees the interceptor files: an application's client, its copy, a call each. */
    public static final class CopyAndCall implements Supplier<Map<String, List<String>>> {
        @Override
        public Map<String, List<String>> get() {
            CannedHttp http = new CannedHttp();
            try (DynamoDbClient app = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                    .httpClient(http).overrideConfiguration(o -> o
                            .addExecutionInterceptor(new ApplicationsInterceptor())
                            .addExecutionInterceptor(new HandAddedSdkInterceptor())
                            .addExecutionInterceptor(new ServiceFileInterceptor()))
                    .build();
                    DynamoDbClient copy = DynamoDbClient.builder().region(Region.EU_WEST_1)
                            .credentialsProvider(LOCAL).httpClient(http)
                            .overrideConfiguration(RegionalClientDefaults.overrideConfigurationLike(app)).build()) {
                return Map.of("app runs", runs(app), "copy runs", runs(copy),
                        "app interceptors", classes(app), "copy interceptors", classes(copy));
            }
        }
    }

    @Test
    void meridiansInterceptorRunsOnceOnACopyOfAClientThatHasIt() {
        CannedHttp http = new CannedHttp();
        try (DynamoDbClient app = DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(LOCAL)
                .httpClient(http).overrideConfiguration(RegionalClientDefaults.overrideConfiguration()).build();
                DynamoDbClient copy = DynamoDbClient.builder().region(Region.EU_WEST_1).credentialsProvider(LOCAL)
                        .httpClient(http).overrideConfiguration(RegionalClientDefaults.overrideConfigurationLike(app))
                        .build()) {
            assertThat(counted(runs(copy))).isEqualTo(Map.of("HeardAtTheWire", 1L));
        }
    }

    @Test
    void anAsynchronousClientIsCopiedAlike() {
        try (DynamoDbAsyncClient app = DynamoDbAsyncClient.builder().region(Region.US_EAST_1)
                .credentialsProvider(LOCAL).overrideConfiguration(o -> o
                        .addExecutionInterceptor(new HandAddedSdkInterceptor()))
                .build();
                DynamoDbAsyncClient copy = DynamoDbAsyncClient.builder().region(Region.EU_WEST_1)
                        .credentialsProvider(LOCAL)
                        .overrideConfiguration(RegionalClientDefaults.overrideConfigurationLike(app)).build()) {
            assertThat(classes(copy)).containsExactlyElementsOf(plus(plus(classes(app),
                    HeardAtTheWire.class.getName()), AnsweredAttempts.class.getName()));
        }
    }

    @Test
    void aClientThatIsNoSdkClientsIsRefusedByName() {
        SdkClient odd = new SdkClient() {
            @Override
            public String serviceName() {
                return "odd";
            }

            @Override
            public void close() {
            }
        };
        assertThatThrownBy(() -> RegionalClientDefaults.overrideConfigurationLike(odd))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(odd.getClass().getName());
    }

    /** The counted interceptors that ran on one GetItem through {@code client}, Meridian's included, once a run. */
    private static List<String> runs(DynamoDbClient client) {
        Queue<String> runs = new ConcurrentLinkedQueue<>();
        HeardAtTheWire.Listener before = HeardAtTheWire.listen(() -> runs.add("HeardAtTheWire"));
        try {
            client.getItem(GetItemRequest.builder().tableName("t").key(Map.of("pk", AttributeValue.fromS("1")))
                    .overrideConfiguration(o -> o.putExecutionAttribute(TalliedInterceptor.RUNS, runs)).build());
        } finally {
            HeardAtTheWire.listen(before);
        }
        return List.copyOf(runs);
    }

    private static Map<String, Long> counted(List<String> runs) {
        return runs.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static List<String> classes(SdkClient client) {
        return client.serviceClientConfiguration().overrideConfiguration().executionInterceptors().stream()
                .map(ExecutionInterceptor::getClass).map(Class::getName).toList();
    }

    private static Map<String, Long> plus(Map<String, Long> runs, String once) {
        Map<String, Long> more = new HashMap<>(runs);
        more.merge(once, 1L, Long::sum);
        return more;
    }

    private static <T> List<T> plus(List<T> list, T last) {
        List<T> more = new ArrayList<>(list);
        more.add(last);
        return more;
    }

    private void register(String file, Class<? extends ExecutionInterceptor> interceptor) throws IOException {
        Path path = registered.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, interceptor.getName() + "\n");
    }

    /** Named in the test class path's global interceptor file: the SDK adds one to every client. */
    public static final class GlobalFileInterceptor extends TalliedInterceptor {
    }

    /** Named in the test class path's DynamoDB interceptor file: the SDK adds one to every DynamoDB client. */
    public static final class ServiceFileInterceptor extends TalliedInterceptor {
    }

    /** The application's own. */
    public static final class ApplicationsInterceptor extends TalliedInterceptor {
    }

    /** Answers every request with an empty DynamoDB answer ({@code {}}: no item), at once. */
    private static final class CannedHttp implements SdkHttpClient {
        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200)
                                    .putHeader("Content-Type", "application/x-amz-json-1.0")
                                    .putHeader("Content-Length", String.valueOf(body.length)).build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body))).build();
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
