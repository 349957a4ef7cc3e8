package dev.meridian.core.settings;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * The kinds of value Meridian's settings take, each with its parser, rule and fix, so that every module's registry
 * ({@link MeridianSettings}, sdk-dynamodb's {@code DynamoDbSettings}, the starter's) declares a duration, a bounded
 * integer or a name from a list the same way and a bad value gets the same words whichever module reads it.
 */
@API(status = INTERNAL, since = "0.1")
public final class SettingTypes {
    /** How a duration may be written; said in the fix of every duration's rule. */
    public static final String DURATION_FIX = "use e.g. 50ms, 2s or ISO-8601 PT0.05S";
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private SettingTypes() {
    }

    /** An integer in {@code min..max} ({@code max} {@link Integer#MAX_VALUE}: no upper bound). */
    public static Setting.Builder<Integer> integer(String key, int min, int max) {
        String range = max == Integer.MAX_VALUE ? ">= " + min : "in " + min + ".." + max;
        return Setting.<Integer>builder(key, Integer.class, Integer::valueOf)
                .rule(n -> n >= min && n <= max, "must be an integer " + range, "use a whole number " + range);
    }

    /** A percentage in (0, 100], {@code dflt} by default. */
    public static Setting.Builder<Float> percent(String key, float dflt) {
        return Setting.<Float>builder(key, Float.class, Float::valueOf)
                .rule(f -> f > 0f && f <= 100f, "must be a percentage in (0, 100]", "use a number such as 50")
                .defaultValue(dflt, String.valueOf((int) dflt));
    }

    /** {@code true} or {@code false} (any case, nothing else), {@code dflt} by default. */
    public static Setting.Builder<Boolean> bool(String key, boolean dflt) {
        return Setting.<Boolean>builder(key, Boolean.class, SettingTypes::strictBoolean)
                .parseRule("must be true or false")
                .rule(b -> true, "must be true or false", "use true or false")
                .defaultValue(dflt, String.valueOf(dflt));
    }

    /** A duration ({@code 50ms}, {@code 2s}, {@code 1m}, {@code 1h} or ISO-8601), any; add the rule. */
    public static Setting.Builder<Duration> duration(String key) {
        return Setting.<Duration>builder(key, Duration.class, SettingTypes::parseDuration)
                .parseRule("must be a duration");
    }

    /** A positive duration. */
    public static Setting.Builder<Duration> positiveDuration(String key) {
        return duration(key).rule(d -> !d.isNegative() && !d.isZero(), "must be positive", DURATION_FIX);
    }

    /** A duration that is not negative (zero allowed). */
    public static Setting.Builder<Duration> notNegativeDuration(String key) {
        return duration(key).rule(d -> !d.isNegative(), "must not be negative", DURATION_FIX);
    }

    /**
     * One of {@code names}, {@code dflt} by default; case and {@code _} for {@code -} do not matter
     * ({@code FAILOVER}, {@code home_by_key}), the value is the name as listed.
     */
    public static Setting.Builder<String> oneOf(String key, List<String> names, String dflt) {
        return Setting.<String>builder(key, String.class, SettingTypes::normalName)
                .rule(n -> names.contains(normalName(n)), "must be one of " + names, "use one of them")
                .defaultValue(dflt, dflt);
    }

    /** A text that is not blank; {@code fix} says what to write. */
    public static Setting.Builder<String> text(String key, String fix) {
        return Setting.<String>builder(key, String.class, String::trim)
                .rule(t -> !t.isBlank(), "must not be blank", fix);
    }

    /** A region id (lower-cased). */
    public static Setting.Builder<String> regionId(String key) {
        return Setting.<String>builder(key, String.class, t -> t.toLowerCase(Locale.ROOT))
                .rule(t -> !t.isBlank(), "must not be blank", "name one of the configured regions, e.g. eu-west-1");
    }

    /** Comma-separated region ids (lower-cased), at least one, each once; {@code fix} says what to list. */
    public static Setting.Builder<List<String>> regionIds(String key, String fix) {
        return Setting.<List<String>>builder(key, List.class, SettingTypes::commaSeparated)
                .rule(ids -> !ids.isEmpty() && ids.stream().allMatch(id -> id.equals(id.toLowerCase(Locale.ROOT)))
                        && new HashSet<>(ids).size() == ids.size(), "must name at least one region, each once", fix);
    }

    /** {@code local-first}, {@code FAILOVER}, {@code home_by_key}: case and {@code _} for {@code -} do not matter. */
    static String normalName(String name) {
        return name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The non-empty, trimmed, lower-cased items of a comma-separated text. */
    static List<String> commaSeparated(String text) {
        List<String> items = new ArrayList<>();
        for (String raw : text.split(",")) {
            String item = raw.trim().toLowerCase(Locale.ROOT);
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        return List.copyOf(items);
    }

    /** Only {@code true} or {@code false} (any case): a typo such as {@code ture} must not silently mean false. */
    private static Boolean strictBoolean(String text) {
        if (text.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (text.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException("not a boolean");
    }

    /** ISO-8601 ({@code PT0.05S}) or a number with unit {@code ms}, {@code s}, {@code m}, {@code h}. */
    private static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms": return Duration.ofMillis(n);
                case "s": return Duration.ofSeconds(n);
                case "m": return Duration.ofMinutes(n);
                default: return Duration.ofHours(n);
            }
        }
        return Duration.parse(text.toUpperCase(Locale.ROOT));
    }
}
