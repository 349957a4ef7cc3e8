package dev.meridian.dynamodb.acceptance.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.testkit.LocalRegions;
import dev.meridian.testkit.LocalRegionsConfig;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the testkit's {@code resetMidResponse()} (HTTP 200 headers, a malformed chunk, close) is to each HTTP client,
 * with no Meridian in between: a failure ({@code SdkClientException}) to Apache (4 and 5) and URL-connection, as the testkit's
 * README says; to the AWS SDK's Netty client (2.54.13) a success with an empty answer — the write it "acknowledges"
 * never reached DynamoDB Local and a read of an existing item answers "no item". Meridian sees no failure there to act
 * on; the acceptance properties leave this pair out, and this test shows why (and will fail once the SDK reports it).
 */
@LocalRegionsConfig(regions = {"eu-west-1"})
class NettyCutAnswerIT {
    private static final String TABLE = "cond_cut";
    static LocalRegions regions;

    @BeforeAll
    static void table() {
        regions.createGlobalTable(LocalRegions.pkTable(TABLE));
        regions.client("eu-west-1").putItem(p -> p.tableName(TABLE).item(Shape.key("stored")));
    }

    @Test
    void aCutAnswerIsAFailureToTheSynchronousClients() {
        for (HttpClientKind http : new HttpClientKind[] {HttpClientKind.APACHE, HttpClientKind.URL_CONNECTION,
                HttpClientKind.APACHE5}) {
            try (DynamoDbClient client = http.syncClient(regions, Region.EU_WEST_1, Duration.ofSeconds(2))) {
                regions.faults("eu-west-1").resetMidResponse();
                assertThatThrownBy(() -> client.putItem(p -> p.tableName(TABLE).item(Shape.key("sync"))))
                        .as("%s", http).isInstanceOf(SdkClientException.class);
                assertThatThrownBy(() -> client.getItem(g -> g.tableName(TABLE).key(Shape.key("stored"))))
                        .as("%s", http).isInstanceOf(SdkClientException.class);
            }
        }
    }

    @Test
    void aCutAnswerIsAnEmptySuccessToTheSdksNettyClient() {
        try (DynamoDbAsyncClient client = HttpClientKind.NETTY_ASYNC.asyncClient(regions, Region.EU_WEST_1,
                Duration.ofSeconds(2))) {
            regions.faults("eu-west-1").resetMidResponse();
            client.putItem(p -> p.tableName(TABLE).item(Shape.key("netty"))).join();
            assertThat(client.getItem(g -> g.tableName(TABLE).key(Shape.key("stored"))).join().hasItem())
                    .as("an existing item read through a cut answer").isFalse();
            regions.faults("eu-west-1").heal();
            assertThat(regions.client("eu-west-1").getItem(g -> g.tableName(TABLE).key(Shape.key("netty")))
                    .hasItem()).as("the acknowledged put was never applied").isFalse();
        }
    }
}
