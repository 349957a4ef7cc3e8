package dev.meridian.spring;

import static dev.meridian.core.settings.MeridianSettings.BREAKER_FAILURE_RATE_THRESHOLD;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_HALF_OPEN_CALLS;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_MINIMUM_CALLS;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_EJECT_AFTER_STALLS;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_PER_RESOURCE;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_SLIDING_WINDOW_SIZE;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_SLOW_CALL_DURATION;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_SLOW_CALL_RATE_THRESHOLD;
import static dev.meridian.core.settings.MeridianSettings.BREAKER_WAIT_IN_OPEN;
import static dev.meridian.core.settings.MeridianSettings.DEFAULT_DATA_CLASS;
import static dev.meridian.core.settings.MeridianSettings.FIRST_ATTEMPT_TIMEOUT;
import static dev.meridian.core.settings.MeridianSettings.HEDGE_BUDGET_BURST;
import static dev.meridian.core.settings.MeridianSettings.HEDGE_BUDGET_PERCENT;
import static dev.meridian.core.settings.MeridianSettings.HEDGE_DELAY;
import static dev.meridian.core.settings.MeridianSettings.HEDGE_MODE;
import static dev.meridian.core.settings.MeridianSettings.HOME_REGION;
import static dev.meridian.core.settings.MeridianSettings.LOCAL_REGION;
import static dev.meridian.core.settings.MeridianSettings.MAX_REGIONS_PER_CALL;
import static dev.meridian.core.settings.MeridianSettings.REGIONS;
import static dev.meridian.core.settings.MeridianSettings.REGION_ENDPOINT;
import static dev.meridian.core.settings.MeridianSettings.REGION_JURISDICTION;
import static dev.meridian.core.settings.MeridianSettings.REGION_PRIORITY;
import static dev.meridian.core.settings.MeridianSettings.REGION_WEIGHT;
import static dev.meridian.core.settings.MeridianSettings.REQUIRE_CONTEXT;
import static dev.meridian.core.settings.MeridianSettings.RESIDENCY_COUNTRY;
import static dev.meridian.core.settings.MeridianSettings.ROUTING;

import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.exception.InvalidSettingException;
import dev.meridian.core.settings.MeridianSettings;
import dev.meridian.core.settings.Setting;
import dev.meridian.core.settings.SettingValues;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Applies the typed values Spring bound into {@link MeridianProperties} through sdk-core's setting declarations
 * ({@link MeridianSettings}) and builds the {@link MultiRegionConfig} with {@code MultiRegionConfig.fromSettings}: the
 * same rules and messages as without Spring, no text in between. A refused value is a
 * {@link MeridianConfigurationException} for the property the refusal names ({@link InvalidSettingException#setting()}),
 * with the declaration's doc line as what the property takes.
 */
final class MeridianSettingsBinding {
    private final SettingValues values = SettingValues.namedBy(MeridianSettings::propertyName);
    /** Property name → the declaration its value was put through. */
    private final Map<String, Setting<?>> declarations = new HashMap<>();

    private MeridianSettingsBinding() {
    }

    static MultiRegionConfig build(MeridianProperties p) {
        MeridianSettingsBinding b = new MeridianSettingsBinding();
        try {
            return b.apply(p);
        } catch (InvalidSettingException e) {
            throw b.translate(e);
        }
    }

    private MultiRegionConfig apply(MeridianProperties p) {
        put(REGIONS, p.getRegions().isEmpty() ? null : p.getRegions());
        p.getRegion().forEach((id, r) -> {
            put(REGION_JURISDICTION, id, r.getJurisdiction());
            put(REGION_PRIORITY, id, r.getPriority());
            put(REGION_WEIGHT, id, r.getWeight());
            put(REGION_ENDPOINT, id, r.getEndpoint());
        });
        put(LOCAL_REGION, p.getLocalRegion());
        put(HOME_REGION, p.getHomeRegion());
        put(ROUTING, p.getRouting());
        put(MAX_REGIONS_PER_CALL, p.getMaxRegionsPerCall());
        put(FIRST_ATTEMPT_TIMEOUT, p.getFirstAttemptTimeout());
        put(DEFAULT_DATA_CLASS, p.getDefaultDataClass());
        put(REQUIRE_CONTEXT, p.getRequireContext());
        put(HEDGE_DELAY, p.getHedge().getDelay());
        put(HEDGE_MODE, p.getHedge().getMode());
        put(HEDGE_BUDGET_PERCENT, p.getHedge().getBudgetPercent());
        put(HEDGE_BUDGET_BURST, p.getHedge().getBudgetBurst());
        MeridianProperties.Breaker breaker = p.getBreaker();
        put(BREAKER_FAILURE_RATE_THRESHOLD, breaker.getFailureRateThreshold());
        put(BREAKER_SLIDING_WINDOW_SIZE, breaker.getSlidingWindowSize());
        put(BREAKER_MINIMUM_CALLS, breaker.getMinimumCalls());
        put(BREAKER_WAIT_IN_OPEN, breaker.getWaitInOpen());
        put(BREAKER_HALF_OPEN_CALLS, breaker.getHalfOpenCalls());
        put(BREAKER_SLOW_CALL_RATE_THRESHOLD, breaker.getSlowCallRateThreshold());
        put(BREAKER_SLOW_CALL_DURATION, breaker.getSlowCallDuration());
        put(BREAKER_PER_RESOURCE, breaker.getPerResource());
        put(BREAKER_EJECT_AFTER_STALLS, breaker.getEjectAfterStalls());
        p.getResidency().getCountry().forEach((cc, j) -> put(RESIDENCY_COUNTRY, cc, j));
        return MultiRegionConfig.fromSettings(values);
    }

    private <T> void put(Setting<T> setting, @Nullable T value) {
        declarations.put(setting.propertyName(), setting);
        values.put(setting, value);
    }

    private <T> void put(Setting<T> setting, String id, @Nullable T value) {
        declarations.put(MeridianSettings.propertyName(setting.key(id)), setting);
        values.put(setting, id, value);
    }

    private MeridianConfigurationException translate(InvalidSettingException e) {
        String expected = declaration(e.setting()).map(s -> "expected " + s.doc())
                .orElse("see the sdk-spring-starter README for the values it takes.");
        return new MeridianConfigurationException(e.setting(), Objects.requireNonNull(e.getMessage(), "message"),
                e.fix() + " (" + expected + ")", e);
    }

    /** The declaration of a property: the one its value went through, or the one a rule over settings names. */
    private Optional<Setting<?>> declaration(String property) {
        Setting<?> s = declarations.get(property);
        if (s != null) {
            return Optional.of(s);
        }
        String prefix = MeridianSettings.propertyName("");
        return property.startsWith(prefix) ? MeridianSettings.find(property.substring(prefix.length()))
                : Optional.empty();
    }
}
