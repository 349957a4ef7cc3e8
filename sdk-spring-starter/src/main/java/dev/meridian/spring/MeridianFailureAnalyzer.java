package dev.meridian.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports a {@link MeridianConfigurationException} at start-up: the property, the problem and the fix. */
public class MeridianFailureAnalyzer extends AbstractFailureAnalyzer<MeridianConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MeridianConfigurationException cause) {
        return new FailureAnalysis("Meridian cannot start: invalid value of " + cause.property() + ": "
                + cause.getMessage(), "Update " + cause.property() + " in your application's configuration: "
                + cause.fix(), cause);
    }
}
