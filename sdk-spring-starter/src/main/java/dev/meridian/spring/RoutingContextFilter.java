package dev.meridian.spring;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
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
 * {@code application/problem+json} body naming the header: never a silent default.
 */
public class RoutingContextFilter extends OncePerRequestFilter {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingContextFilter.class);
    private static final Pattern COUNTRY = Pattern.compile("[A-Za-z]{2}");
    private static final Pattern DATA_CLASS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** An sf-string (quoted, as the IETF draft says) or a bare token: printable ASCII without quotes, 1..255. */
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("\"?([\\x20\\x21\\x23-\\x7E]{1,255})\"?");

    private final MeridianProperties.Web headers;
    private final Set<Region> regions;

    /** A filter reading the headers named in {@code headers}; a region header must name one of {@code regions}. */
    public RoutingContextFilter(MeridianProperties.Web headers, Collection<Region> regions) {
        this.headers = Objects.requireNonNull(headers, "headers");
        this.regions = Set.copyOf(Objects.requireNonNull(regions, "regions"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        RoutingContext.Builder ctx = RoutingContext.builder();
        String correlationId = request.getHeader(headers.getCorrelationIdHeader());
        if (correlationId == null || correlationId.isBlank()) {
            correlationId = UUID.randomUUID().toString();
        } else if (!CORRELATION_ID.matcher(correlationId).matches()) {
            reject(request, response, headers.getCorrelationIdHeader(), "must be 1 to 128 letters, digits or ._:-");
            return;
        }
        response.setHeader(headers.getCorrelationIdHeader(), correlationId);
        ctx.correlationId(correlationId);

        String country = request.getHeader(headers.getSubjectCountryHeader());
        if (country != null) {
            if (!COUNTRY.matcher(country.trim()).matches()) {
                reject(request, response, headers.getSubjectCountryHeader(),
                        "'" + country + "' is not an ISO-3166 alpha-2 country code such as DE");
                return;
            }
            ctx.subjectCountry(country);
        }
        String dataClass = request.getHeader(headers.getDataClassHeader());
        if (dataClass != null) {
            if (!DATA_CLASS.matcher(dataClass.trim()).matches()) {
                reject(request, response, headers.getDataClassHeader(),
                        "'" + dataClass + "' is not a data class name such as PUBLIC, INTERNAL or RESTRICTED");
                return;
            }
            ctx.dataClass(DataClass.of(dataClass));
        }
        String key = request.getHeader(headers.getIdempotencyKeyHeader());
        if (key != null) {
            var m = IDEMPOTENCY_KEY.matcher(key.trim());
            if (!m.matches() || m.group(1).isBlank()) {
                // The key may be personal data: the problem names the rule, never the value.
                reject(request, response, headers.getIdempotencyKeyHeader(),
                        "must be a string of 1 to 255 printable ASCII characters");
                return;
            }
            ctx.idempotencyKey(m.group(1));
        }
        String region = request.getHeader(headers.getRegionHeader());
        if (region != null) {
            String id = region.trim().toLowerCase(Locale.ROOT);
            if (!REGION.matcher(id).matches() || !regions.contains(Region.of(id))) {
                reject(request, response, headers.getRegionHeader(), "'" + region + "' is not one of the configured"
                        + " regions " + regions.stream().map(Region::id).sorted().toList());
                return;
            }
            ctx.preferredRegion(Region.of(id));
        }
        try (RoutingContext.Scope s = ctx.open()) {
            chain.doFilter(request, response);
        }
    }

    private static void reject(HttpServletRequest request, HttpServletResponse response, String header,
            String problem) throws IOException {
        String detail = "Header " + header + " " + problem;
        LOG.debug("Rejected {} {}: {}", request.getMethod(), request.getRequestURI(), detail);
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"
                + "\"detail\":\"" + json(detail) + "\",\"instance\":\"" + json(request.getRequestURI()) + "\"}");
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
