package dev.meridian.dynamodb.flags;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reads a flag item of the control table (the schema shared with the region controls, docs/fleet-control.md):
 * {@code pk = "flag#<name>"}, {@code enabled} (BOOL), optional {@code regions} (M of BOOL), optional
 * {@code rolloutPercent} (N, 0..100), {@code version} (N). Stateless.
 */
final class FlagItems {
    static final String KEY = "pk";
    static final String PREFIX = "flag#";

    private FlagItems() {
    }

    /**
     * The flag an item describes.
     *
     * @throws IllegalArgumentException naming the attribute when the item does not follow the schema
     */
    static FlagDefinition parse(Map<String, AttributeValue> item) {
        String name = name(item);
        AttributeValue enabled = item.get("enabled");
        if (enabled == null || enabled.bool() == null) {
            throw malformed(name, "enabled", "must be a BOOL", enabled);
        }
        Map<String, Boolean> regions = new LinkedHashMap<>();
        AttributeValue overrides = item.get("regions");
        if (overrides != null) {
            if (!overrides.hasM()) {
                throw malformed(name, "regions", "must be a map of region id to BOOL", overrides);
            }
            for (Map.Entry<String, AttributeValue> e : overrides.m().entrySet()) {
                Boolean on = e.getValue().bool();
                if (on == null) {
                    throw malformed(name, "regions." + e.getKey(), "must be a BOOL", e.getValue());
                }
                regions.put(e.getKey(), on);
            }
        }
        OptionalDouble rollout = OptionalDouble.empty();
        AttributeValue percent = item.get("rolloutPercent");
        if (percent != null) {
            double p = number(name, "rolloutPercent", percent);
            if (!(p >= 0 && p <= 100)) {
                throw malformed(name, "rolloutPercent", "must be in 0..100", percent);
            }
            rollout = OptionalDouble.of(p);
        }
        AttributeValue version = item.get("version");
        long v = version == null ? 0 : (long) number(name, "version", version);
        return new FlagDefinition(name, enabled.bool(), regions, rollout, v);
    }

    /** The flag's name from the item's key. */
    static String name(Map<String, AttributeValue> item) {
        AttributeValue pk = item.get(KEY);
        String key = pk == null ? null : pk.s();
        if (key == null || !key.startsWith(PREFIX) || key.length() == PREFIX.length()) {
            throw new IllegalArgumentException("control table item " + KEY + " must be 'flag#<name>', was " + pk
                    + "; fix the item's key");
        }
        return key.substring(PREFIX.length());
    }

    private static double number(String name, String attribute, AttributeValue value) {
        if (value.n() == null) {
            throw malformed(name, attribute, "must be a number", value);
        }
        try {
            return new BigDecimal(value.n()).doubleValue();
        } catch (NumberFormatException e) {
            throw malformed(name, attribute, "must be a number", value);
        }
    }

    private static IllegalArgumentException malformed(String name, String attribute, String rule,
            @Nullable Object value) {
        return new IllegalArgumentException("flag '" + name + "' attribute " + attribute + " " + rule + ", was "
                + value + "; fix the item with: meridian flag set " + name);
    }
}
