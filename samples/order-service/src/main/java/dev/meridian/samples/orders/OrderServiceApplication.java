package dev.meridian.samples.orders;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small order service made multi-region by the Meridian starter: orders in DynamoDB (through the starter's routed
 * client, placed once per {@code Idempotency-Key}), a catalogue read from PostgreSQL's local replica. Run it on local
 * regions with {@link LocalMain}; against AWS, set the {@code meridian.*} properties and run this class.
 */
@SpringBootApplication
public class OrderServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrderServiceApplication.class, args);
    }
}
