package dev.meridian.spring;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when at least one {@code meridian.aurora.region.<region>.*} endpoint is configured. */
class AuroraEndpointsCondition extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> endpoints = Binder.get(context.getEnvironment())
                .bind("meridian.aurora.region", Bindable.mapOf(String.class, Object.class)).orElse(Map.of());
        return endpoints.isEmpty() ? ConditionOutcome.noMatch("no meridian.aurora.region.<region> endpoints")
                : ConditionOutcome.match("meridian.aurora.region endpoints for " + endpoints.keySet());
    }
}
