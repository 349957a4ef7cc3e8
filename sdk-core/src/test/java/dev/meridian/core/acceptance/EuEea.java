package dev.meridian.core.acceptance;

import java.util.List;

/** The 27 EU member states and Iceland, Liechtenstein and Norway, written down from the EU's own list. */
final class EuEea {
    static final List<String> COUNTRIES = List.of(
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
            "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
            "IS", "LI", "NO");

    private EuEea() {
    }
}
