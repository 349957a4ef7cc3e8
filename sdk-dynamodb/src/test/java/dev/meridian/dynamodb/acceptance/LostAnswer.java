package dev.meridian.dynamodb.acceptance;

import dev.meridian.testkit.LocalRegions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A client of one region whose first attempt of {@code operation} is applied but whose answer is lost: the testkit's
 * latency fault forwards the request at once and holds the answer past the client's attempt timeout; the fault is
 * healed before the SDK's retry is sent, so the retry re-sends the same request to a table that already holds it.
 */
final class LostAnswer implements ExecutionInterceptor {
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(300);
    private final LocalRegions regions;
    private final String region;
    private final String operation;
    private final AtomicInteger attempts = new AtomicInteger();

    private LostAnswer(LocalRegions regions, String region, String operation) {
        this.regions = regions;
        this.region = region;
        this.operation = operation;
    }

    /** The client (the caller closes it); the fault is set on return. */
    static DynamoDbClient client(LocalRegions regions, String region, String operation) {
        LostAnswer interceptor = new LostAnswer(regions, region, operation);
        regions.faults(region).only(operation).latency(ATTEMPT_TIMEOUT.multipliedBy(4));
        return regions.clientBuilder(region).overrideConfiguration(o -> o.apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                .apiCallTimeout(Duration.ofSeconds(10)).addExecutionInterceptor(interceptor)).build();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (operation.equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                && attempts.incrementAndGet() == 2) {
            regions.faults(region).only(operation).heal();
        }
    }
}
