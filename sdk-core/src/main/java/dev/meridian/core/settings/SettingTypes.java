package dev.meridian.core.settings;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
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

    private SettingTypes() {
    }

    /** An integer in {@code min..max} ({@code max} {@link Integer#MAX_VALUE}: no upper bound). */
    public static Setting.Builder<Integer> integer(String key, int min, int max) {
        String range = max == Integer.MAX_VALUE ? ">= " + min : "in " + min + ".." + max;
        Kind<Integer> kind = new Kind<>(Kind.INTEGER, min, max, List.of());
        return Setting.<Integer>builder(key, Integer.class, kind)
                .rule(kind, "must be an integer " + range, "use a whole number " + range);
    }

    /** A percentage in (0, 100], {@code dflt} by default. */
    public static Setting.Builder<Float> percent(String key, float dflt) {
        Kind<Float> kind = new Kind<>(Kind.PERCENT);
        return Setting.<Float>builder(key, Float.class, kind)
                .rule(kind, "must be a percentage in (0, 100]", "use a number such as 50")
                .defaultValue(dflt, String.valueOf((int) dflt));
    }

    /** {@code true} or {@code false} (any case, nothing else), {@code dflt} by default. */
    public static Setting.Builder<Boolean> bool(String key, boolean dflt) {
        Kind<Boolean> kind = new Kind<>(Kind.BOOLEAN);
        return Setting.<Boolean>builder(key, Boolean.class, kind)
                .parseRule("must be true or false")
                .rule(kind, "must be true or false", "use true or false")
                .defaultValue(dflt, String.valueOf(dflt));
    }

    /** A duration ({@code 50ms}, {@code 2s}, {@code 1m}, {@code 1h} or ISO-8601), any; add the rule. */
    public static Setting.Builder<Duration> duration(String key) {
        return Setting.<Duration>builder(key, Duration.class, new Kind<>(Kind.DURATION))
                .parseRule("must be a duration");
    }

    /** A positive duration. */
    public static Setting.Builder<Duration> positiveDuration(String key) {
        return duration(key).rule(new Kind<>(Kind.POSITIVE_DURATION), "must be positive", DURATION_FIX);
    }

    /** A duration that is not negative (zero allowed). */
    public static Setting.Builder<Duration> notNegativeDuration(String key) {
        return duration(key).rule(new Kind<>(Kind.NOT_NEGATIVE_DURATION), "must not be negative", DURATION_FIX);
    }

    /**
     * One of {@code names}, {@code dflt} by default; case and {@code _} for {@code -} do not matter
     * ({@code FAILOVER}, {@code home_by_key}), the value is the name as listed.
     */
    public static Setting.Builder<String> oneOf(String key, List<String> names, String dflt) {
        Kind<String> kind = new Kind<>(Kind.NAME, 0, 0, names);
        return Setting.<String>builder(key, String.class, kind)
                .rule(kind, "must be one of " + names, "use one of them")
                .defaultValue(dflt, dflt);
    }

    /** A text that is not blank; {@code fix} says what to write. */
    public static Setting.Builder<String> text(String key, String fix) {
        return text(key, "must not be blank", fix);
    }

    /** A text that is not blank, {@code rule} saying what it must be; {@code fix} says what to write. */
    static Setting.Builder<String> text(String key, String rule, String fix) {
        Kind<String> kind = new Kind<>(Kind.TEXT);
        return Setting.<String>builder(key, String.class, kind).rule(kind, rule, fix);
    }

    /** A region id (lower-cased). */
    public static Setting.Builder<String> regionId(String key) {
        Kind<String> kind = new Kind<>(Kind.REGION_ID);
        return Setting.<String>builder(key, String.class, kind)
                .rule(kind, "must not be blank", "name one of the configured regions, e.g. eu-west-1");
    }

    /** Comma-separated region ids (lower-cased), at least one, each once; {@code fix} says what to list. */
    public static Setting.Builder<List<String>> regionIds(String key, String fix) {
        Kind<List<String>> kind = new Kind<>(Kind.REGION_IDS);
        return Setting.<List<String>>builder(key, List.class, kind)
                .rule(kind, "must name at least one region, each once", fix);
    }

    /** Comma-separated region ids (lower-cased), at least one, not checked further here. */
    static Setting.Builder<List<String>> regionList(String key, String rule, String fix) {
        Kind<List<String>> kind = new Kind<>(Kind.REGION_LIST);
        return Setting.<List<String>>builder(key, List.class, kind).rule(kind, rule, fix);
    }

    /** An absolute URI (a scheme and a host); {@code fix} says what to write. */
    static Setting.Builder<URI> absoluteUri(String key, String fix) {
        Kind<URI> kind = new Kind<>(Kind.ABSOLUTE_URI);
        return Setting.<URI>builder(key, URI.class, kind).rule(kind, "must be an absolute URI", fix);
    }

    /** The rule of a declaration that sets none: every value of the type. */
    static <T> Predicate<T> anyValue() {
        return new Kind<>(Kind.ANY);
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

    /**
     * ISO-8601 ({@code PT0.05S}) or a number with unit {@code ms}, {@code s}, {@code m}, {@code h} (digits, optional
     * white space, the unit; any case). Scanned, not a regular expression compiled when the settings catalogue is.
     */
    private static Duration parseDuration(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        int digits = 0;
        while (digits < t.length() && t.charAt(digits) >= '0' && t.charAt(digits) <= '9') {
            digits++;
        }
        int unit = digits;
        while (unit < t.length() && " \t\n\u000B\f\r".indexOf(t.charAt(unit)) >= 0) {
            unit++;
        }
        if (digits > 0) {
            switch (t.substring(unit)) {
                case "ms": return Duration.ofMillis(Long.parseLong(t.substring(0, digits)));
                case "s": return Duration.ofSeconds(Long.parseLong(t.substring(0, digits)));
                case "m": return Duration.ofMinutes(Long.parseLong(t.substring(0, digits)));
                case "h": return Duration.ofHours(Long.parseLong(t.substring(0, digits)));
                default: break;
            }
        }
        return Duration.parse(text.toUpperCase(Locale.ROOT));
    }

    /**
     * The parser and the rule of each kind above, chosen by a switch. Why one class and not a lambda per parser and
     * rule: {@link MeridianSettings} declares every setting in its static initializer, which the first
     * {@code MultiRegionConfig.builder()} of a process runs, and each lambda there was a hidden class spun at that
     * moment (21 of them on a cold start); this is one class loaded from the jar.
     */
    private static final class Kind<T> implements Function<String, T>, Predicate<T> {
        static final int ANY = 0;
        static final int INTEGER = 1;
        static final int PERCENT = 2;
        static final int BOOLEAN = 3;
        static final int DURATION = 4;
        static final int POSITIVE_DURATION = 5;
        static final int NOT_NEGATIVE_DURATION = 6;
        static final int NAME = 7;
        static final int TEXT = 8;
        static final int REGION_ID = 9;
        static final int REGION_IDS = 10;
        static final int REGION_LIST = 11;
        static final int ABSOLUTE_URI = 12;

        private final int kind;
        private final int min;
        private final int max;
        private final List<String> names;

        Kind(int kind) {
            this(kind, 0, 0, List.of());
        }

        Kind(int kind, int min, int max, List<String> names) {
            this.kind = kind;
            this.min = min;
            this.max = max;
            this.names = names;
        }

        /** The value of a (trimmed) text; throws for a text that is none. */
        @Override
        @SuppressWarnings("unchecked")
        public T apply(String text) {
            return (T) parse(text);
        }

        private Object parse(String text) {
            switch (kind) {
                case INTEGER: return Integer.valueOf(text);
                case PERCENT: return Float.valueOf(text);
                case BOOLEAN: return strictBoolean(text);
                case DURATION:
                case POSITIVE_DURATION:
                case NOT_NEGATIVE_DURATION: return parseDuration(text);
                case NAME: return normalName(text);
                case TEXT: return text.trim();
                case REGION_ID: return text.toLowerCase(Locale.ROOT);
                case REGION_IDS:
                case REGION_LIST: return commaSeparated(text);
                case ABSOLUTE_URI: return URI.create(text);
                default: throw new IllegalStateException("no parser for kind " + kind);
            }
        }

        /** Whether a value keeps the kind's rule. */
        @Override
        public boolean test(T value) {
            switch (kind) {
                case INTEGER: {
                    int n = (Integer) value;
                    return n >= min && n <= max;
                }
                case PERCENT: {
                    float f = (Float) value;
                    return f > 0f && f <= 100f;
                }
                case POSITIVE_DURATION: {
                    Duration d = (Duration) value;
                    return !d.isNegative() && !d.isZero();
                }
                case NOT_NEGATIVE_DURATION: return !((Duration) value).isNegative();
                case NAME: return names.contains(normalName((String) value));
                case TEXT:
                case REGION_ID: return !((String) value).isBlank();
                case REGION_IDS: return distinctLowerCase((List<?>) value);
                case REGION_LIST: return !((List<?>) value).isEmpty();
                case ABSOLUTE_URI: {
                    URI u = (URI) value;
                    return u.getScheme() != null && u.getHost() != null;
                }
                default: return true;
            }
        }

        private static boolean distinctLowerCase(List<?> ids) {
            if (ids.isEmpty()) {
                return false;
            }
            Set<Object> seen = new HashSet<>();
            for (Object id : ids) {
                String s = (String) id;
                if (!s.equals(s.toLowerCase(Locale.ROOT)) || !seen.add(s)) {
                    return false;
                }
            }
            return true;
        }
    }
}
