package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/** Which requests keep the call timeout a won hedge releases the caller through. */
class RegionalClientDefaultsTest {

    private static GetItemRequest withCallTimeout(Duration timeout) {
        return GetItemRequest.builder().tableName("t").overrideConfiguration(o -> o.apiCallTimeout(timeout)).build();
    }

    @Test
    void aRequestKeepsTheCallTimeoutUnlessItsOwnIsUnderOneMillisecond() {
        assertThat(RegionalClientDefaults.keepsCallTimeout(GetItemRequest.builder().tableName("t").build())).isTrue();
        assertThat(RegionalClientDefaults.keepsCallTimeout(GetItemRequest.builder().tableName("t")
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofSeconds(1))).build())).isTrue();
        assertThat(RegionalClientDefaults.keepsCallTimeout(withCallTimeout(Duration.ofMillis(1)))).isTrue();
        // The SDK counts whole milliseconds and schedules no timer for 0.
        assertThat(RegionalClientDefaults.keepsCallTimeout(withCallTimeout(Duration.ofNanos(999_999)))).isFalse();
        assertThat(RegionalClientDefaults.keepsCallTimeout("not an SDK request")).isTrue();
    }
}
