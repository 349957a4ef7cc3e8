package dev.meridian.spring.session;

import dev.meridian.core.RegionalClientFactory;
import dev.meridian.dynamodb.client.SessionWriteNotVisibleException;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianContextPropagationAutoConfiguration;
import dev.meridian.spring.MeridianDynamoDbAutoConfiguration;
import dev.meridian.spring.MeridianSessionTokenAutoConfiguration;
import dev.meridian.spring.MeridianWebAutoConfiguration;
import dev.meridian.testkit.LocalRegions;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * One service of the read-your-writes test, on embedded Tomcat: writes and reads items of {@value #TABLE} through
 * the starter's own routed {@code DynamoDbClient} bean (per-region clients to the test's {@link LocalRegions}; with a
 * replication-lag probe when {@code meridian.dynamodb.replication-lag-probe.table} is set), and relays a read to
 * another service (base URL {@code test.downstream}) with a {@code RestClient} built from Boot's builder, so the
 * starter forwards the session token. No Meridian code in the handlers.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
        WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class, RestClientAutoConfiguration.class,
        MeridianAutoConfiguration.class, MeridianDynamoDbAutoConfiguration.class, MeridianWebAutoConfiguration.class,
        MeridianContextPropagationAutoConfiguration.class, MeridianSessionTokenAutoConfiguration.class})
public class SessionServiceApp {
    static final String TABLE = "session-items";
    static final String HEARTBEATS = "session-heartbeats";
    /** Set by the test before the applications start. */
    static volatile LocalRegions regions;

    /** The per-region clients of the starter's routed client: the test's local regions (their access key). */
    @Bean
    RegionalClientFactory<DynamoDbClient> localRegionClients() {
        return (region, spec) -> regions.clientBuilder(region.id()).build();
    }

    @RestController
    static class Items {
        private final DynamoDbClient dynamo;
        private final RestClient downstream;

        Items(DynamoDbClient dynamo, RestClient.Builder rest, Environment env) {
            this.dynamo = dynamo;
            this.downstream = rest.baseUrl(env.getProperty("test.downstream", "http://localhost:1")).build();
        }

        @PutMapping("/items/{id}")
        ResponseEntity<Void> put(@PathVariable String id, @RequestParam long v) {
            dynamo.putItem(p -> p.tableName(TABLE).item(Map.of("pk", AttributeValue.fromS(id),
                    "v", AttributeValue.fromN(Long.toString(v)))));
            return ResponseEntity.noContent().build();
        }

        @GetMapping("/items/{id}")
        ResponseEntity<String> get(@PathVariable String id) {
            GetItemResponse r = dynamo.getItem(g -> g.tableName(TABLE).key(Map.of("pk", AttributeValue.fromS(id))));
            return r.hasItem() ? ResponseEntity.ok(r.item().get("v").n()) : ResponseEntity.notFound().build();
        }

        /** Reads the item in the downstream service. */
        @GetMapping("/relay/{id}")
        ResponseEntity<String> relay(@PathVariable String id) {
            return downstream.get().uri("/items/{id}", id).retrieve()
                    .onStatus(s -> s.value() == 404, (req, res) -> { })
                    .toEntity(String.class);
        }

        /** The refusal is an unavailability: nothing stale was returned. */
        @ExceptionHandler(SessionWriteNotVisibleException.class)
        ResponseEntity<String> refused(SessionWriteNotVisibleException e) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(e.getMessage());
        }
    }
}
