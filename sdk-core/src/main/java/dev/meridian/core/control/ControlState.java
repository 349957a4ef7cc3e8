package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.internal.SettingRules;
import java.util.Locale;
import org.apiguardian.api.API;

/** A region's fleet-wide control state: {@code ON} (may be planned) or {@code OFF} (left out of every plan). */
@API(status = EXPERIMENTAL, since = "0.1")
public enum ControlState {
    ON, OFF;

    /**
     * The state named {@code text} ({@code ON} / {@code OFF}, case-insensitive; ARC's {@code On} / {@code Off}).
     *
     * @throws IllegalArgumentException naming {@code setting} when the text is neither
     */
    public static ControlState parse(String text, String setting) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        if (t.equals("ON")) {
            return ON;
        }
        if (t.equals("OFF")) {
            return OFF;
        }
        throw SettingRules.invalid(setting, "must be ON or OFF", SettingRules.quoted(text), "write ON or OFF");
    }
}
