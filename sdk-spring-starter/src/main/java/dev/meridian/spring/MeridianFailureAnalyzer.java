package dev.meridian.spring;

import java.util.Objects;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports a {@link MeridianConfigurationException} at start-up: the property, the problem and the fix. */
class MeridianFailureAnalyzer extends AbstractFailureAnalyzer<MeridianConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MeridianConfigurationException cause) {
        // Most messages name the property already ("<property> <rule>, was <value>; <fix>"); say it once.
        String message = Objects.requireNonNull(cause.getMessage(), "message"); // its constructor requires one
        String problem = message.startsWith(cause.property() + " ") ? message
                : "invalid value of " + cause.property() + ": " + message;
        return new FailureAnalysis("Meridian cannot start: " + problem, "Update " + cause.property()
                + " in your application's configuration: " + cause.fix(), cause);
    }
}
