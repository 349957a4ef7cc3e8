package dev.meridian.samples.orders;

import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs the order service on local regions ({@link LocalSetup}) with one command:
 * {@code mvn -B -q -pl samples/order-service -am package -DskipTests -Prun}. Stops with Ctrl-C.
 */
public final class LocalMain {
    private LocalMain() {
    }

    public static void main(String[] args) {
        // DynamoDB Local accepts any credentials; the default provider chain reads these system properties.
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        LocalSetup local = LocalSetup.start();
        Map<String, Object> properties = new java.util.LinkedHashMap<>(local.properties());
        // DynamoDB Local logs every request (the replicator polls streams all the time): keep the console readable.
        properties.put("logging.level.com.amazonaws.services.dynamodbv2.local", "warn");
        ConfigurableApplicationContext app = new SpringApplicationBuilder(OrderServiceApplication.class)
                .properties(properties).run(args);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            local.close();
        }, "order-service-local-shutdown"));
        String port = app.getEnvironment().getProperty("local.server.port");
        System.out.println("""

                Order service on http://localhost:%1$s (its local region: %2$s; orders live in eu-west-1/eu-central-1)
                  curl -s localhost:%1$s/catalogue
                  curl -s -XPOST localhost:%1$s/orders -H 'Content-Type: application/json' -H 'Idempotency-Key: k-1' \\
                       -H 'X-Subject-Country: DE' -H 'X-Data-Class: RESTRICTED' -d '{"item":"BK-1","quantity":1}'
                  curl -s localhost:%1$s/actuator/meridian
                  curl -s -XPOST localhost:%1$s/actuator/meridian/eu-west-1 -H 'Content-Type: application/json' \\
                       -d '{"action":"drain"}'
                  curl -s localhost:%1$s/actuator/health
                Ctrl-C stops it and the local regions.
                """.formatted(port, LocalSetup.LOCAL_REGION));
    }
}
