package dev.meridian.samples.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link RoutingContext} of one API Gateway HTTP API request. Orders are personal data ({@code RESTRICTED}); the
 * data subject's country comes from the JWT authorizer's claims ({@code country}, else Cognito's
 * {@code custom:country}) — never from a header the client controls. An event without one carries no routing facts:
 * its context declares nothing ({@link RoutingContext#isDeclared()} is false), so the configured no-context policy
 * applies (the tables' {@code DEFAULT_DATA_CLASS=RESTRICTED} in the template: refused, having no subject). The
 * correlation id is the {@code x-correlation-id} header, else API Gateway's request id.
 */
final class EventRouting {
    static final String COUNTRY_CLAIM = "country";
    static final String COGNITO_COUNTRY_CLAIM = "custom:country";

    private EventRouting() {
    }

    static RoutingContext contextOf(APIGatewayV2HTTPEvent event) {
        RoutingContext.Builder b = RoutingContext.builder();
        country(event).ifPresent(country -> b.dataClass(DataClass.RESTRICTED).subjectCountry(country));
        String correlationId = header(event, "x-correlation-id")
                .orElseGet(() -> event.getRequestContext() == null ? null : event.getRequestContext().getRequestId());
        if (correlationId != null) {
            b.correlationId(correlationId);
        }
        return b.build();
    }

    static Optional<String> country(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext rc = event.getRequestContext();
        if (rc == null || rc.getAuthorizer() == null || rc.getAuthorizer().getJwt() == null
                || rc.getAuthorizer().getJwt().getClaims() == null) {
            return Optional.empty();
        }
        Map<String, String> claims = rc.getAuthorizer().getJwt().getClaims();
        String country = claims.getOrDefault(COUNTRY_CLAIM, claims.get(COGNITO_COUNTRY_CLAIM));
        return country == null || country.isBlank() ? Optional.empty() : Optional.of(country.trim());
    }

    /** A request header; HTTP API lower-cases header names, but a test or proxy may not. */
    static Optional<String> header(APIGatewayV2HTTPEvent event, String name) {
        Map<String, String> headers = event.getHeaders();
        if (headers == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && h.getValue() != null
                    && !h.getValue().isBlank()) {
                return Optional.of(h.getValue().trim());
            }
        }
        return Optional.empty();
    }
}
