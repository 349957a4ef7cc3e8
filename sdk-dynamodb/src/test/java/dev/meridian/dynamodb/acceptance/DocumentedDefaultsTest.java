package dev.meridian.dynamodb.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.health.HealthConfig;
import dev.meridian.core.residency.DataClass;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * docs/configuration.md read as a user: the defaults its tables state (hedging, first attempt, breakers, calls with no
 * context) are what {@code MultiRegionConfig.fromEnvironment} gives with only {@code MERIDIAN_REGIONS} set, and
 * {@code RegionalClientDefaults} is what "Per-region SDK clients" says (2 attempts, a 2 s attempt timeout that is also
 * a ceiling on the application's own timeouts).
 */
class DocumentedDefaultsTest {

    private static MultiRegionConfig onlyRegions(Map<String, String> more) {
        Map<String, String> env = new java.util.HashMap<>(more);
        env.put("MERIDIAN_REGIONS", "eu-west-1,eu-central-1,us-east-1");
        return MultiRegionConfig.fromEnvironment(env, new Properties());
    }

    @org.junit.jupiter.api.Test
    void hedgingDefaultsAreAdaptiveWithA50msFloorAndA10PercentBudgetOfBurst10() {
        var hedging = onlyRegions(Map.of()).hedging();
        assertThat(hedging.enabled()).as("reads are hedged by default").isTrue();
        assertThat(hedging.adaptive()).isTrue();
        assertThat(hedging.delay()).contains(Duration.ofMillis(50));
        assertThat(hedging.budgetShare()).isEqualTo(0.10);
        assertThat(hedging.budgetBurst()).isEqualTo(10);
    }

    @org.junit.jupiter.api.Test
    void hedgeModeOffAndFixedAreWhatTheyName() {
        assertThat(onlyRegions(Map.of("MERIDIAN_HEDGE_MODE", "off")).hedging().enabled()).isFalse();
        var fixed = onlyRegions(Map.of("MERIDIAN_HEDGE_MODE", "fixed", "MERIDIAN_HEDGE_DELAY", "2s")).hedging();
        assertThat(fixed.enabled()).isTrue();
        assertThat(fixed.adaptive()).isFalse();
        assertThat(fixed.delay()).contains(Duration.ofSeconds(2));
    }

    @org.junit.jupiter.api.Test
    void firstAttemptTimeoutDefaultsToTenSeconds() {
        assertThat(onlyRegions(Map.of()).firstAttemptTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @org.junit.jupiter.api.Test
    void breakerDefaultsAreTheTable() {
        HealthConfig health = onlyRegions(Map.of()).health();
        assertThat(health.failureRateThreshold()).isEqualTo(50f);
        assertThat(health.slidingWindowSize()).isEqualTo(20);
        assertThat(health.minimumNumberOfCalls()).isEqualTo(10);
        assertThat(health.waitInOpenState()).isEqualTo(Duration.ofSeconds(10));
        assertThat(health.permittedCallsInHalfOpenState()).isEqualTo(3);
        assertThat(health.slowCallRateThreshold()).isEqualTo(80f);
        assertThat(health.slowCallDuration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(health.perResourceBreakers()).isFalse();
        assertThat(health.ejectAfterStalls()).isEqualTo(5);
        assertThat(onlyRegions(Map.of("MERIDIAN_BREAKER_EJECT_AFTER_STALLS", "0")).health().ejectAfterStalls())
                .as("0: off is accepted").isZero();
    }

    @org.junit.jupiter.api.Test
    void aCallWithNoContextIsInternalAndNotRefusedByDefault() {
        MultiRegionConfig config = onlyRegions(Map.of());
        assertThat(config.defaultDataClass()).isEqualTo(DataClass.INTERNAL);
        assertThat(config.requireContext()).isFalse();
    }

    @org.junit.jupiter.api.Test
    void aBadHedgeBudgetIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> onlyRegions(Map.of("MERIDIAN_HEDGE_BUDGET_PERCENT", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MERIDIAN_HEDGE_BUDGET_PERCENT");
        assertThatThrownBy(() -> onlyRegions(Map.of("MERIDIAN_HEDGE_BUDGET_BURST", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MERIDIAN_HEDGE_BUDGET_BURST");
    }

    @org.junit.jupiter.api.Test
    void regionalClientDefaultsAreTwoAttemptsAndATwoSecondAttemptTimeout() {
        ClientOverrideConfiguration c = RegionalClientDefaults.overrideConfiguration();
        assertThat(c.apiCallAttemptTimeout()).contains(Duration.ofSeconds(2));
        assertThat(c.apiCallTimeout()).as("one region never costs more than one attempt timeout")
                .contains(Duration.ofSeconds(2));
        assertThat(c.retryStrategy().map(RetryStrategy::maxAttempts)).contains(2);
    }

    /** The attempt timeout is a ceiling: the application's when shorter than 2 s, else 2 s; the call timeout no longer. */
    @Property(tries = 200)
    void regionalClientDefaultsCapTheApplicationsTimeouts(@ForAll @LongRange(min = 1, max = 120_000) long attemptMs,
            @ForAll @LongRange(min = 1, max = 120_000) long callMs) {
        ClientOverrideConfiguration c = RegionalClientDefaults.capped(ClientOverrideConfiguration.builder()
                .apiCallAttemptTimeout(Duration.ofMillis(attemptMs)).apiCallTimeout(Duration.ofMillis(callMs))).build();
        Duration attempt = Duration.ofMillis(Math.min(attemptMs, 2_000));
        assertThat(c.apiCallAttemptTimeout()).contains(attempt);
        assertThat(c.apiCallTimeout()).contains(Duration.ofMillis(Math.min(callMs, attempt.toMillis())));
        assertThat(c.retryStrategy().map(RetryStrategy::maxAttempts)).contains(2);
    }
}
