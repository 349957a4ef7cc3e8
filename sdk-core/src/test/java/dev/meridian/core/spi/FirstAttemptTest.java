package dev.meridian.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.RegionalClientDefaults;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/** Which requests get the first-attempt budget. */
class FirstAttemptTest {
    private static final Duration BUDGET = Duration.ofSeconds(10);
    private static final GetItemRequest PLAIN = GetItemRequest.builder().tableName("t").build();

    private static DynamoDbClient client(Duration attemptTimeout) {
        return DynamoDbClient.builder().region(Region.EU_WEST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(2, attemptTimeout)).build();
    }

    @Test
    void aClientWithShorterTimeoutsGetsTheBudgetForItsFirstRequest() {
        try (DynamoDbClient c = client(Duration.ofSeconds(2))) {
            GetItemRequest first = FirstAttempt.budgeted(PLAIN, c, BUDGET);
            assertThat(first.overrideConfiguration().orElseThrow().apiCallTimeout()).contains(BUDGET);
            assertThat(first.overrideConfiguration().orElseThrow().apiCallAttemptTimeout()).contains(BUDGET);
            assertThat(first.tableName()).isEqualTo("t");
        }
    }

    @Test
    void aClientWithLongerTimeoutsIsNeverShortened() {
        try (DynamoDbClient c = client(Duration.ofSeconds(30))) {
            assertThat(FirstAttempt.budgeted(PLAIN, c, BUDGET)).isSameAs(PLAIN);
        }
    }

    @Test
    void aRequestWithItsOwnTimeoutKeepsIt() {
        GetItemRequest own = PLAIN.toBuilder().overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMillis(300)))
                .build();
        try (DynamoDbClient c = client(Duration.ofSeconds(2))) {
            assertThat(FirstAttempt.budgeted(own, c, BUDGET)).isSameAs(own);
        }
    }

    @Test
    void aClientThatDoesNotTellItsConfigurationIsLeftAlone() {
        DynamoDbClient handWritten = new DynamoDbClient() {
            @Override
            public String serviceName() {
                return "dynamodb";
            }

            @Override
            public void close() {
            }
        };
        assertThat(FirstAttempt.budgeted(PLAIN, handWritten, BUDGET)).isSameAs(PLAIN);
    }
}
