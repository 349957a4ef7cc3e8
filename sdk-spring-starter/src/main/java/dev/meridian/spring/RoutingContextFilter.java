package dev.meridian.spring;

import dev.meridian.core.routing.RoutingContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;
import software.amazon.awssdk.regions.Region;

/**
 * Opens a {@link RoutingContext} for each request from its headers (names from {@code meridian.web.*}): the data
 * subject's country, the data class, the correlation id (generated when absent, echoed in the response and in the
 * MDC under {@value RoutingContext#MDC_KEY} while the request runs), the IETF {@code Idempotency-Key} and the
 * session's region ({@link RoutingContext#preferredRegion()}: tried first when residency and health allow, for sticky
 * sessions). A malformed value, or a region that is not configured, is answered with 400 and an
 * {@code application/problem+json} body naming the header: never a silent default. The WebFlux counterpart is
 * {@link ReactiveRoutingContextFilter}; both read the headers the same way.
 */
public class RoutingContextFilter extends OncePerRequestFilter {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingContextFilter.class);

    private final RoutingHeaders headers;

    /** A filter reading the headers named in {@code headers}; a region header must name one of {@code regions}. */
    public RoutingContextFilter(MeridianProperties.Web headers, Collection<Region> regions) {
        this.headers = new RoutingHeaders(headers, regions);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        RoutingHeaders.Parsed parsed = headers.parse(request::getHeader);
        if (parsed.correlationId() != null) {
            response.setHeader(headers.names().getCorrelationIdHeader(), parsed.correlationId());
        }
        if (parsed.isRejected()) {
            reject(request, response, parsed.problem());
            return;
        }
        try (RoutingContext.Scope s = parsed.context().open()) {
            chain.doFilter(request, response);
        }
    }

    private static void reject(HttpServletRequest request, HttpServletResponse response, String detail)
            throws IOException {
        LOG.debug("Rejected {} {}: {}", request.getMethod(), request.getRequestURI(), detail);
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(RoutingHeaders.problemJson(detail, request.getRequestURI()));
    }
}
