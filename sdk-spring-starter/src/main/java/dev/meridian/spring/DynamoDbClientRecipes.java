package dev.meridian.spring;

import dev.meridian.core.RegionalClientFactory;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Knows how another auto-configuration (Spring Cloud AWS's) built a {@link DynamoDbClient} bean, so that each region's
 * client is built the same way with only the region (and Meridian's per-region endpoint) changed. Its signature names
 * no type of that framework: {@link DynamoDbClientsPostProcessor} uses it whether or not the framework is present.
 */
interface DynamoDbClientRecipes {

    /**
     * A factory building the per-region clients of the bean {@code beanName} as its auto-configuration built it;
     * empty when this recipe did not build that bean.
     */
    Optional<RegionalClientFactory<DynamoDbClient>> regionalFactory(String beanName);
}
