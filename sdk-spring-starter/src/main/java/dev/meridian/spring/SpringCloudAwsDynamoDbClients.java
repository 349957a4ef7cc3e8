package dev.meridian.spring;

import dev.meridian.core.RegionalClientFactory;
import io.awspring.cloud.autoconfigure.AwsSyncClientCustomizer;
import io.awspring.cloud.autoconfigure.core.AwsClientBuilderConfigurer;
import io.awspring.cloud.autoconfigure.core.AwsConnectionDetails;
import io.awspring.cloud.autoconfigure.dynamodb.DynamoDbClientCustomizer;
import io.awspring.cloud.autoconfigure.dynamodb.DynamoDbProperties;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.type.MethodMetadata;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * Builds each region's client of Spring Cloud AWS's {@code DynamoDbClient} bean the way its
 * {@code DynamoDbAutoConfiguration} builds that bean ({@code AwsClientBuilderConfigurer.configureSyncClient}: the
 * {@code spring.cloud.aws.credentials.*} credentials provider, {@code spring.cloud.aws.endpoint} /
 * {@code spring.cloud.aws.dynamodb.endpoint}, connection details, defaults mode, FIPS / dual-stack, then every
 * {@code AwsSyncClientCustomizer} and {@code DynamoDbClientCustomizer}), then sets the client's region, the region's
 * {@code meridian.region.<region>.endpoint} when one is configured, and sdk-core's capped retries, its timeouts as
 * ceilings ({@link dev.meridian.core.RegionalClientDefaults#capped}: a customizer's shorter timeout kept, a longer one
 * cut).
 * Loaded only when Spring Cloud AWS is on the class path.
 */
final class SpringCloudAwsDynamoDbClients implements DynamoDbClientRecipes {
    /** Spring Cloud AWS's DynamoDB auto-configuration, named so that the starter does not need it on the class path. */
    static final String AUTO_CONFIGURATION = "io.awspring.cloud.autoconfigure.dynamodb.DynamoDbAutoConfiguration";
    /** Its configuration of the standard client; a DAX cluster client (its other one) is one cluster, not rebuilt. */
    private static final String STANDARD_CLIENT = AUTO_CONFIGURATION + "$StandardDynamoDbClient";
    private static final Logger LOG = LoggerFactory.getLogger(SpringCloudAwsDynamoDbClients.class);

    private final ConfigurableListableBeanFactory beanFactory;

    SpringCloudAwsDynamoDbClients(ConfigurableListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public Optional<RegionalClientFactory<DynamoDbClient>> regionalFactory(String beanName) {
        if (!builtBySpringCloudAws(beanName)) {
            return Optional.empty();
        }
        // The same beans Spring Cloud AWS built its client from, resolved once: every region's client sees them alike.
        AwsClientBuilderConfigurer configurer = beanFactory.getBean(AwsClientBuilderConfigurer.class);
        DynamoDbProperties properties = beanFactory.getBean(DynamoDbProperties.class);
        AwsConnectionDetails connection = beanFactory.getBeanProvider(AwsConnectionDetails.class).getIfAvailable();
        List<DynamoDbClientCustomizer> customizers = beanFactory.getBeanProvider(DynamoDbClientCustomizer.class)
                .orderedStream().toList();
        List<AwsSyncClientCustomizer> syncCustomizers = beanFactory.getBeanProvider(AwsSyncClientCustomizer.class)
                .orderedStream().toList();
        LOG.info("Meridian builds the per-region clients of bean '{}' from Spring Cloud AWS's configuration; "
                + "region and meridian.region.<region>.endpoint are Meridian's", beanName);
        return Optional.of((region, spec) -> {
            DynamoDbClientBuilder b = configurer.configureSyncClient(DynamoDbClient.builder(), properties, connection,
                    customizers.stream(), syncCustomizers.stream());
            b.region(region);
            spec.endpoint().ifPresent(b::endpointOverride);
            return b.overrideConfiguration(RegionalDynamoDbClients.capped(b.overrideConfiguration())).build();
        });
    }

    private boolean builtBySpringCloudAws(String beanName) {
        if (!beanFactory.containsBeanDefinition(beanName)
                || !(beanFactory.getBeanDefinition(beanName) instanceof AnnotatedBeanDefinition definition)) {
            return false;
        }
        MethodMetadata factoryMethod = definition.getFactoryMethodMetadata();
        return factoryMethod != null && STANDARD_CLIENT.equals(factoryMethod.getDeclaringClassName());
    }
}
