package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.internal.SettingRules;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;
import software.amazon.awssdk.regions.Region;

/**
 * Region controls from a map or a line of text, for tests and for teams without ARC or a control table. The text
 * form (a variable's value, the starter's {@code meridian.control.static-state}) is a comma-separated list
 * of {@code region=STATE} or {@code region=STATE:weight}: {@code eu-west-1=OFF,eu-central-1=ON:100}.
 * {@link #set} replaces the state, so a test can flip a region as an operator would. Thread-safe.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StaticControlSource implements RegionControlSource {
    private volatile RegionControlState state;

    private StaticControlSource(RegionControlState state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    /** A source answering {@code state}. */
    public static StaticControlSource of(RegionControlState state) {
        return new StaticControlSource(state);
    }

    /** A source answering these states, without weights. */
    public static StaticControlSource of(Map<Region, ControlState> states) {
        Map<Region, RegionControlEntry> entries = new LinkedHashMap<>();
        states.forEach((r, s) -> entries.put(r, RegionControlEntry.of(s)));
        return new StaticControlSource(RegionControlState.of(entries));
    }

    /**
     * A source answering the text form {@code region=STATE[:weight],...}; blank means no controls.
     *
     * @throws IllegalArgumentException naming {@code setting} and the bad element
     */
    public static StaticControlSource parse(String text, String setting) {
        return new StaticControlSource(parseState(text, setting));
    }

    /** The text form {@code region=STATE[:weight],...} as a snapshot. */
    public static RegionControlState parseState(String text, String setting) {
        Map<Region, RegionControlEntry> entries = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return RegionControlState.empty();
        }
        for (String element : text.split(",")) {
            String e = element.trim();
            int eq = e.indexOf('=');
            SettingRules.check(eq > 0, setting, "must list region=ON|OFF[:weight] separated by commas",
                    SettingRules.quoted(e), "write e.g. eu-west-1=OFF,eu-central-1=ON:100");
            Region region = Region.of(e.substring(0, eq).trim());
            String value = e.substring(eq + 1).trim();
            int colon = value.indexOf(':');
            ControlState s = ControlState.parse(colon < 0 ? value : value.substring(0, colon), setting);
            Integer weight = null;
            if (colon >= 0) {
                try {
                    weight = Integer.parseInt(value.substring(colon + 1).trim());
                } catch (NumberFormatException ex) {
                    throw SettingRules.invalid(setting, "must give a whole-number weight after ':'", SettingRules.quoted(e),
                            "write e.g. eu-west-1=ON:90", ex);
                }
                SettingRules.inRange(weight, 0, 100, setting + " weight of " + region.id(), "give 0 to 100");
            }
            entries.put(region, RegionControlEntry.of(s, weight));
        }
        return RegionControlState.of(entries);
    }

    /** Replaces the state this source answers from now on. */
    public void set(RegionControlState newState) {
        this.state = Objects.requireNonNull(newState, "newState");
    }

    @Override
    public String name() {
        return "static";
    }

    @Override
    public RegionControlState read() {
        return state;
    }
}
