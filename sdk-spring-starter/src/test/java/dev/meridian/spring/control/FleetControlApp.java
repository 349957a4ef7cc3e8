package dev.meridian.spring.control;

import dev.meridian.core.MultiRegion;
import dev.meridian.dynamodb.client.MultiRegionDynamoDb;
import dev.meridian.dynamodb.client.TableConfig;
import dev.meridian.spring.MeridianActuatorAutoConfiguration;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianWebAutoConfiguration;
import dev.meridian.testkit.LocalRegions;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.jackson.JacksonEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.actuate.endpoint.web.WebMvcHealthEndpointExtensionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A Spring MVC application on embedded Tomcat with Actuator over HTTP ({@code /actuator/meridian},
 * {@code /actuator/health}) and one endpoint reading an order through a routed client over the test's
 * {@link LocalRegions}; the region control comes from {@code meridian.control.*} only.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
        WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class,
        EndpointAutoConfiguration.class, JacksonEndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class,
        ManagementContextAutoConfiguration.class, HealthContributorAutoConfiguration.class,
        HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class,
        WebMvcHealthEndpointExtensionAutoConfiguration.class, MeridianAutoConfiguration.class,
        MeridianWebAutoConfiguration.class, MeridianActuatorAutoConfiguration.class})
public class FleetControlApp {
    static final String ORDERS = "control-orders";
    /** Set by the test before the application starts. */
    static volatile LocalRegions regions;

    @Bean(destroyMethod = "close")
    DynamoDbClient dynamo(MultiRegion runtime) {
        return MultiRegionDynamoDb.builder().multiRegion(runtime)
                .clientFactory(r -> regions.clientBuilder(r.id()).build())
                .table(TableConfig.builder(ORDERS).partitionKey("pk").build())
                .buildClient();
    }

    @RestController
    static class Orders {
        private final DynamoDbClient dynamo;

        Orders(DynamoDbClient dynamo) {
            this.dynamo = dynamo;
        }

        @GetMapping("/orders/{id}")
        String get(@PathVariable String id) {
            Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(ORDERS)
                    .key(Map.of("pk", AttributeValue.fromS(id)))).item();
            return item.isEmpty() ? "none" : item.get("v").n();
        }
    }
}
