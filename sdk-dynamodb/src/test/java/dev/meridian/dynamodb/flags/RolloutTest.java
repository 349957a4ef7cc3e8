package dev.meridian.dynamodb.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.regions.Region;

/** The rollout math: the documented hash, the share of subjects per percentage, and stability. */
class RolloutTest {

    /** Published MurmurHash3_x86_32 vectors (every tail length), so other languages can compute the same buckets. */
    @ParameterizedTest
    @CsvSource({
            "'', 0x0, 0x00000000",
            "'', 0x1, 0x514E28B7",
            "'', 0xffffffff, 0x81F16F39",
            "a, 0x9747b28c, 0x7FA09EA6",
            "ab, 0x9747b28c, 0x74875592",
            "abc, 0x9747b28c, 0xC84A62DD",
            "abcd, 0x9747b28c, 0xF0478627",
            "aaaa, 0x9747b28c, 0x5A97808A",
            "'Hello, world!', 0x9747b28c, 0x24884CBA",
            "The quick brown fox jumps over the lazy dog, 0x9747b28c, 0x2FA826CD",
    })
    void murmur3MatchesTheReference(String input, String seed, String expected) {
        int hash = Rollout.murmur3x86x32(input.getBytes(StandardCharsets.UTF_8), Integer.parseUnsignedInt(seed.substring(2), 16));
        assertThat(hash).isEqualTo(Integer.parseUnsignedInt(expected.substring(2), 16));
    }

    @Test
    void aTwentyPercentRolloutEnablesNineteenToTwentyOnePercentOfTenThousandSubjects() {
        long enabled = IntStream.range(0, 10_000)
                .filter(i -> Rollout.includes("new-checkout", "customer-" + i, 20)).count();
        assertThat(enabled).isBetween(1_900L, 2_100L);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "100, 10000"})
    void zeroAndHundredPercentAreExact(double percent, long expected) {
        assertThat(IntStream.range(0, 10_000).filter(i -> Rollout.includes("f", "s" + i, percent)).count())
                .isEqualTo(expected);
    }

    @Test
    void raisingThePercentageOnlyAddsSubjects() {
        for (int i = 0; i < 5_000; i++) {
            String subject = "user-" + i;
            if (Rollout.includes("search-v2", subject, 10)) {
                assertThat(Rollout.includes("search-v2", subject, 50)).as(subject).isTrue();
            }
        }
    }

    @Test
    void eachFeatureRollsOutToOtherSubjects() {
        long both = IntStream.range(0, 10_000)
                .filter(i -> Rollout.includes("a", "s" + i, 50) && Rollout.includes("b", "s" + i, 50)).count();
        // independent halves overlap by about a quarter; the same hash for both features would overlap by a half
        assertThat(both).isBetween(2_300L, 2_700L);
    }

    @Test
    void theBucketIsAFunctionOfFeatureAndSubjectOnly() {
        // pinned: a change of the hash or of the key's shape would move every subject in every fleet
        assertThat(Rollout.bucket("new-checkout", "customer-42")).isEqualTo(expectedBucket("new-checkout:customer-42"));
        assertThat(Rollout.bucket("new-checkout", "customer-42")).isEqualTo(Rollout.bucket("new-checkout", "customer-42"));
    }

    @Test
    void evaluationTakesTheRegionOverrideThenTheRollout() {
        FlagDefinition flag = new FlagDefinition("f", false, Map.of("eu-west-1", true, "us-east-1", false),
                OptionalDouble.of(100), 1);
        assertThat(flag.enabledIn(Region.EU_WEST_1, null)).isTrue();
        assertThat(flag.enabledIn(Region.US_EAST_1, "s")).isFalse();
        assertThat(flag.enabledIn(Region.EU_CENTRAL_1, "s")).as("global default").isFalse();

        FlagDefinition partial = new FlagDefinition("g", true, Map.of(), OptionalDouble.of(50), 1);
        assertThat(partial.enabledIn(Region.EU_WEST_1, null)).as("partial rollout without a subject").isFalse();
        String in = IntStream.range(0, 100).mapToObj(i -> "s" + i)
                .filter(s -> Rollout.includes("g", s, 50)).findFirst().orElseThrow();
        assertThat(partial.enabledIn(Region.EU_WEST_1, in)).isTrue();
    }

    private static int expectedBucket(String key) {
        return (int) (Integer.toUnsignedLong(Rollout.murmur3x86x32(key.getBytes(StandardCharsets.UTF_8), 0)) % 10_000);
    }
}
