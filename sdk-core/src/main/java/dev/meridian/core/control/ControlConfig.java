package dev.meridian.core.control;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.internal.SettingRules;
import java.time.Duration;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * How a runtime follows the fleet's region controls: the {@link RegionControlSource}, the poll interval (default
 * 1 s; each wait is drawn from {@code [interval × (1 − jitter), interval]} so a fleet does not read in lockstep, and
 * a change is seen within one interval) and the jitter (default 0.2). Immutable; the builder validates eagerly and
 * names the bad setting. Give it to {@code MultiRegion.builder(config).control(controlConfig)}.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ControlConfig {
    /** The default poll interval. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    /** The default jitter: each wait is 80–100 % of the poll interval. */
    public static final double DEFAULT_JITTER = 0.2;

    private final RegionControlSource source;
    private final Duration pollInterval;
    private final double jitter;

    private ControlConfig(Builder b) {
        this.source = SettingRules.required(b.source, "meridian.control.source",
                "give a RegionControlSource (StaticControlSource, the ARC or the control-table source)");
        this.pollInterval = SettingRules.positive(b.pollInterval, "meridian.control.poll-interval",
                "use e.g. 1s");
        SettingRules.check(b.jitter >= 0 && b.jitter < 1, "meridian.control.jitter", "must be at least 0 and below 1",
                b.jitter, "use e.g. 0.2");
        this.jitter = b.jitter;
    }

    public static Builder builder(RegionControlSource source) {
        return new Builder().source(source);
    }

    public RegionControlSource source() {
        return source;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    public double jitter() {
        return jitter;
    }

    @Override
    public String toString() {
        return "ControlConfig{source=" + source.name() + ", pollInterval=" + pollInterval + ", jitter=" + jitter + "}";
    }

    /** Builder of {@link ControlConfig}; not thread-safe. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private @Nullable RegionControlSource source;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private double jitter = DEFAULT_JITTER;

        private Builder() {
        }

        public Builder source(RegionControlSource source) {
            this.source = source;
            return this;
        }

        public Builder pollInterval(Duration interval) {
            this.pollInterval = interval;
            return this;
        }

        public Builder jitter(double jitter) {
            this.jitter = jitter;
            return this;
        }

        public ControlConfig build() {
            return new ControlConfig(this);
        }
    }
}
