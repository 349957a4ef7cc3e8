package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.exception.InvalidSettingException;
import dev.meridian.core.settings.Setting;
import dev.meridian.core.settings.SettingTypes;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The duration texts and key placeholders the settings read by scanning (they were regular expressions compiled by
 * every application's first config): the same values and the same refusals as {@code (\d+)\s*(ms|s|m|h)} (any case)
 * else ISO-8601, and {@code <[a-z]+>}.
 */
class SettingTextsTest {
    private static final Setting<Duration> DURATION = SettingTypes.duration("test.duration").doc("a duration");

    @ParameterizedTest
    @CsvSource({"50ms, PT0.05S", "50MS, PT0.05S", "2s, PT2S", "'2 s', PT2S", "'1  m', PT1M", "3H, PT3H", "0ms, PT0S",
        "PT0.05S, PT0.05S", "pt1s, PT1S", "-PT1S, PT-1S", "9223372036854775807ms, PT2562047788015H12M55.807S"})
    void readsADuration(String text, String iso) {
        assertThat(DURATION.parse(text, "test.duration")).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1d", "ms", "s", "1.5s", "1sms", "1mss", "12x", "PT", "99999999999999999999s", "\uFF12s"})
    void refusesWhatIsNoDuration(String text) {
        assertThatThrownBy(() -> DURATION.parse(text, "test.duration")).isInstanceOf(InvalidSettingException.class);
    }

    @ParameterizedTest
    @CsvSource({"region.<region>.weight, region.eu-$1.weight, true", "<<ab>c, <eu-$1c, true",
        "x<>y<z>, x<>yeu-$1, true", "<A>.<b>, <A>.eu-$1, true", "<table>.<region>, eu-$1.<region>, true",
        "<ab, <ab, false", "plain.key, plain.key, false"})
    void fillsTheFirstPlaceholder(String key, String filled, boolean template) {
        Setting<String> s = SettingTypes.text(key, "name one").doc("a key");
        assertThat(s.key("eu-$1")).isEqualTo(filled);
        assertThat(s.isTemplate()).isEqualTo(template);
    }
}
