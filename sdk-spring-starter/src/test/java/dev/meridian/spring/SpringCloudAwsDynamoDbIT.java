package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.testkit.ClassPathWithout;
import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import io.awspring.cloud.autoconfigure.core.AwsAutoConfiguration;
import io.awspring.cloud.autoconfigure.core.CredentialsProviderAutoConfiguration;
import io.awspring.cloud.autoconfigure.core.RegionProviderAutoConfiguration;
import io.awspring.cloud.autoconfigure.dynamodb.DynamoDbAutoConfiguration;
import io.awspring.cloud.autoconfigure.dynamodb.DynamoDbClientCustomizer;
import io.awspring.cloud.dynamodb.DynamoDbTemplate;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Spring Cloud AWS's DynamoDB starter beside Meridian's, against DynamoDB Local in three regions: Spring Cloud AWS's
 * credentials, endpoint and client customizers build every region's client, the region and Meridian's per-region
 * endpoints are Meridian's, and its {@code DynamoDbTemplate} runs on the multi-region client under residency.
 */
@LocalRegionsConfig
class SpringCloudAwsDynamoDbIT {
    /** The access key Spring Cloud AWS is configured with; DynamoDB Local accepts any: the signature is the witness. */
    private static final String ACCESS_KEY = "AKIDSPRINGCLOUDAWS";
    /** {@code Credential=<access key>/<date>/<signing region>/dynamodb/...} of a SigV4 Authorization header. */
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/[0-9]+/([^/]+)/dynamodb/");

    private static LocalRegions regions;
    private ApplicationContextRunner runner;

    @BeforeAll
    static void start() {
        regions.createGlobalTable(LocalRegions.pkTable("orders"));
        // Cold start-up (DynamoDB Local's and the SDK's first request in this JVM) is issue 15's item 3, not this
        // test's subject: one write and read per region first, so a loaded machine does not time out the first call.
        for (String r : List.of("eu-west-1", "eu-central-1", "us-east-1")) {
            DynamoDbClient warm = regions.client(r);
            warm.putItem(b -> b.tableName("orders").item(Map.of("pk", AttributeValue.fromS("warm-up"))));
            warm.getItem(b -> b.tableName("orders").key(Map.of("pk", AttributeValue.fromS("warm-up"))));
        }
    }

    @BeforeEach
    void runner() {
        // us-east-1 has no meridian endpoint: its client takes Spring Cloud AWS's (which points at us-east-1's
        // DynamoDB Local); the EU regions have their own. Spring Cloud AWS's static region is another region still.
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianDynamoDbAutoConfiguration.class, CredentialsProviderAutoConfiguration.class,
                        RegionProviderAutoConfiguration.class, AwsAutoConfiguration.class,
                        DynamoDbAutoConfiguration.class))
                .withUserConfiguration(SigningWitness.class)
                .withPropertyValues("meridian.regions=eu-west-1,eu-central-1,us-east-1",
                        // Each call to one region: the tests count requests per region (hedging is on by default).
                        "meridian.hedge.mode=off",
                        "meridian.local-region=us-east-1",
                        "meridian.region.eu-west-1.endpoint=" + regions.endpoint("eu-west-1"),
                        "meridian.region.eu-central-1.endpoint=" + regions.endpoint("eu-central-1"),
                        "meridian.dynamodb.tables.orders.partition-key=pk",
                        "meridian.dynamodb.tables.orders.replica-regions=eu-west-1,eu-central-1",
                        "spring.cloud.aws.credentials.access-key=" + ACCESS_KEY,
                        "spring.cloud.aws.credentials.secret-key=not-checked-by-dynamodb-local",
                        "spring.cloud.aws.region.static=ap-southeast-2",
                        "spring.cloud.aws.dynamodb.endpoint=" + regions.endpoint("us-east-1"));
    }

    @Test
    void springCloudAwsSettingsBuildEveryRegionsClient() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(DynamoDbClient.class);
            DynamoDbClient client = ctx.getBean(DynamoDbClient.class);
            assertThat(RegionalDynamoDbClients.isRouted(client)).as("the application's client is the routed one")
                    .isTrue();
            SigningWitness witness = ctx.getBean(SigningWitness.class);

            client.listTables();
            assertThat(regions.journal("us-east-1").count("ListTables"))
                    .as("us-east-1 reached through spring.cloud.aws.dynamodb.endpoint").isEqualTo(1);

            try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE")
                    .dataClass(DataClass.RESTRICTED).open()) {
                client.putItem(b -> b.tableName("orders").item(Map.of("pk", AttributeValue.fromS("o-1"))));
                ctx.getBean(MultiRegion.class).drain(Region.EU_WEST_1);
                client.getItem(b -> b.tableName("orders").key(Map.of("pk", AttributeValue.fromS("o-1"))));
            }
            assertThat(regions.journal("eu-west-1").count("PutItem")).as("eu-west-1's own endpoint").isEqualTo(1);
            assertThat(regions.journal("eu-central-1").count("GetItem")).as("eu-central-1's own endpoint")
                    .isEqualTo(1);
            assertThat(regions.journal("us-east-1").count("PutItem")).as("DE RESTRICTED stays in the EU").isZero();

            assertThat(witness.signed).as("Spring Cloud AWS's credentials and customizer; each region signs as itself")
                    .containsExactly(ACCESS_KEY + "@us-east-1", ACCESS_KEY + "@eu-west-1",
                            ACCESS_KEY + "@eu-central-1");
        });
    }

    @Test
    void dynamoDbTemplateWorksUnchangedOnTheMultiRegionClient() {
        runner.run(ctx -> {
            DynamoDbTemplate template = ctx.getBean(DynamoDbTemplate.class);
            assertThat(RegionalDynamoDbClients.isRouted(ctx.getBean(DynamoDbClient.class))).isTrue();
            assertThat(ctx).hasSingleBean(DynamoDbEnhancedClient.class);
            Orders order = new Orders();
            order.setPk("o-2");
            order.setStatus("placed");
            try (RoutingContext.Scope s = RoutingContext.builder().subjectCountry("DE")
                    .dataClass(DataClass.RESTRICTED).open()) {
                template.save(order);
                Orders loaded = template.load(software.amazon.awssdk.enhanced.dynamodb.Key.builder()
                        .partitionValue("o-2").build(), Orders.class);
                assertThat(loaded.getStatus()).isEqualTo("placed");
            }
            assertThat(regions.journal("eu-west-1").count("PutItem")).isEqualTo(1);
            assertThat(regions.journal("eu-west-1").count("GetItem")).isEqualTo(1);
            assertThat(regions.journal("us-east-1").isEmpty()).as("DE RESTRICTED never reaches us-east-1").isTrue();
            assertThat(ctx.getBean(SigningWitness.class).signed).containsOnly(ACCESS_KEY + "@eu-west-1");
        });
    }

    @Test
    void optOutsKeepSpringCloudAwsClientSingleRegionAndItsOwnSwitchLeavesTheStartersClient() {
        runner.withPropertyValues("meridian.dynamodb.wrap-beans=false").run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(DynamoDbClient.class);
            assertThat(RegionalDynamoDbClients.isRouted(ctx.getBean(DynamoDbClient.class))).isFalse();
        });
        runner.withPropertyValues("meridian.dynamodb.exclude-beans=dynamoDbClient").run(ctx ->
                assertThat(RegionalDynamoDbClients.isRouted(ctx.getBean(DynamoDbClient.class))).isFalse());
        runner.withPropertyValues("spring.cloud.aws.dynamodb.enabled=false").run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(DynamoDbClient.class).doesNotHaveBean(DynamoDbTemplate.class);
            assertThat(RegionalDynamoDbClients.isRouted(ctx.getBean(DynamoDbClient.class))).isTrue();
            assertThat(ctx).hasSingleBean(DynamoDbEnhancedClient.class);
        });
    }

    @Test
    void withoutSpringCloudAwsOnTheClassPathTheStarterProvidesItsOwnClientAsBefore() throws Exception {
        try (URLClassLoader withoutIt = ClassPathWithout.packages("io.awspring.")) {
            assertThatThrownBy(() -> withoutIt.loadClass(DynamoDbAutoConfiguration.class.getName()))
                    .isInstanceOf(ClassNotFoundException.class);
            @SuppressWarnings("unchecked")
            Function<String, String> app = (Function<String, String>) ClassPathWithout.newInstance(withoutIt,
                    StarterAlone.class);
            assertThat(app.apply(regions.endpoint("us-east-1").toString()))
                    .isEqualTo("dynamoDbClient routed, dynamoDbEnhancedClient, no recipes");
        }
        assertThat(regions.journal("us-east-1").count("ListTables")).isEqualTo(1);
    }

    /**
     * Runs in a class loader without Spring Cloud AWS: the starter's DynamoDB auto-configuration loads, provides its
     * own routed client (default credentials, here from system properties; the region's meridian endpoint) and makes
     * a call; answers what it found.
     */
    public static class StarterAlone implements Function<String, String> {
        @Override
        public String apply(String usEast1Endpoint) {
            // Spring reads configuration metadata through the thread's class loader before the context's is set.
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(getClass().getClassLoader());
            try {
                return run(usEast1Endpoint);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        private String run(String usEast1Endpoint) {
            AtomicReference<String> found = new AtomicReference<>();
            new ApplicationContextRunner().withClassLoader(getClass().getClassLoader())
                    .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                            MeridianDynamoDbAutoConfiguration.class))
                    .withSystemProperties("aws.accessKeyId=local", "aws.secretAccessKey=local")
                    .withPropertyValues("meridian.regions=eu-west-1,us-east-1", "meridian.local-region=us-east-1",
                            "meridian.region.us-east-1.endpoint=" + usEast1Endpoint)
                    .run(ctx -> {
                        if (ctx.getStartupFailure() != null) {
                            throw new IllegalStateException(ctx.getStartupFailure());
                        }
                        DynamoDbClient client = ctx.getBean(DynamoDbClient.class);
                        client.listTables();
                        found.set(String.join(",", ctx.getBeanNamesForType(DynamoDbClient.class))
                                + (RegionalDynamoDbClients.isRouted(client) ? " routed, " : " plain, ")
                                + String.join(",", ctx.getBeanNamesForType(DynamoDbEnhancedClient.class))
                                + (ctx.getBeanNamesForType(DynamoDbClientRecipes.class).length == 0
                                        ? ", no recipes" : ", recipes"));
                    });
            return found.get();
        }
    }

    /**
     * A Spring Cloud AWS {@link DynamoDbClientCustomizer} recording, for every signed request, the access key and
     * signing region of its SigV4 signature as {@code key@region}.
     */
    @Configuration(proxyBeanMethods = false)
    static class SigningWitness {
        final List<String> signed = new CopyOnWriteArrayList<>();

        @Bean
        DynamoDbClientCustomizer signingWitness() {
            return builder -> builder.overrideConfiguration(builder.overrideConfiguration().toBuilder()
                    .addExecutionInterceptor(new ExecutionInterceptor() {
                        @Override
                        public void beforeTransmission(Context.BeforeTransmission context,
                                ExecutionAttributes attributes) {
                            context.httpRequest().firstMatchingHeader("Authorization").ifPresent(h -> {
                                Matcher m = CREDENTIAL.matcher(h);
                                if (m.find()) {
                                    signed.add(m.group(1) + "@" + m.group(2));
                                }
                            });
                        }
                    }).build());
        }
    }
}
