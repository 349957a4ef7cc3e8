package dev.meridian.spring;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingSession;
import dev.meridian.core.routing.SessionToken;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * The one place that turns a request's routing headers (names from {@code meridian.web.*}) into a
 * {@link RoutingContext}, or into the problem that rejects the request: the servlet and the WebFlux filters share it,
 * so both accept and refuse exactly the same values. Immutable and thread-safe.
 */
final class RoutingHeaders {
    private static final Pattern COUNTRY = Pattern.compile("[A-Za-z]{2}");
    private static final Pattern DATA_CLASS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    /** An sf-string (quoted, as the IETF draft says) or a bare token: printable ASCII without quotes, 1..255. */
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("\"?([\\x20\\x21\\x23-\\x7E]{1,255})\"?");

    private final MeridianProperties.Web names;
    private final Set<Region> regions;

    /** Reads the headers named in {@code names}; a region header must name one of {@code regions}. */
    RoutingHeaders(MeridianProperties.Web names, Collection<Region> regions) {
        this.names = Objects.requireNonNull(names, "names");
        StarterSettings.check(StarterSettings.WEB_SUBJECT_COUNTRY_HEADER, names.getSubjectCountryHeader());
        StarterSettings.check(StarterSettings.WEB_DATA_CLASS_HEADER, names.getDataClassHeader());
        StarterSettings.check(StarterSettings.WEB_CORRELATION_ID_HEADER, names.getCorrelationIdHeader());
        StarterSettings.check(StarterSettings.WEB_IDEMPOTENCY_KEY_HEADER, names.getIdempotencyKeyHeader());
        StarterSettings.check(StarterSettings.WEB_REGION_HEADER, names.getRegionHeader());
        StarterSettings.check(StarterSettings.WEB_SESSION_HEADER, names.getSessionHeader());
        this.regions = Set.copyOf(Objects.requireNonNull(regions, "regions"));
    }

    /** The header names. */
    MeridianProperties.Web names() {
        return names;
    }

    /**
     * The request's context, or the problem with one of its headers.
     *
     * @param header the first value of the named request header, or null when it is absent
     */
    Parsed parse(UnaryOperator<String> header) {
        RoutingContext.Builder ctx = RoutingContext.builder();
        String correlationId = header.apply(names.getCorrelationIdHeader());
        if (correlationId == null || correlationId.isBlank()) {
            correlationId = UUID.randomUUID().toString();
        } else if (!CORRELATION_ID.matcher(correlationId).matches()) {
            return Parsed.rejected(null, names.getCorrelationIdHeader(), "must be 1 to 128 letters, digits or ._:-");
        }
        ctx.correlationId(correlationId);

        String country = header.apply(names.getSubjectCountryHeader());
        if (country != null) {
            if (!COUNTRY.matcher(country.trim()).matches()) {
                return Parsed.rejected(correlationId, names.getSubjectCountryHeader(),
                        "'" + country + "' is not an ISO-3166 alpha-2 country code such as DE");
            }
            ctx.subjectCountry(country);
        }
        String dataClass = header.apply(names.getDataClassHeader());
        if (dataClass != null) {
            if (!DATA_CLASS.matcher(dataClass.trim()).matches()) {
                return Parsed.rejected(correlationId, names.getDataClassHeader(),
                        "'" + dataClass + "' is not a data class name such as PUBLIC, INTERNAL or RESTRICTED");
            }
            ctx.dataClass(DataClass.of(dataClass));
        }
        String key = header.apply(names.getIdempotencyKeyHeader());
        if (key != null) {
            Matcher m = IDEMPOTENCY_KEY.matcher(key.trim());
            if (!m.matches() || m.group(1).isBlank()) {
                // The key may be personal data: the problem names the rule, never the value.
                return Parsed.rejected(correlationId, names.getIdempotencyKeyHeader(),
                        "must be a string of 1 to 255 printable ASCII characters");
            }
            ctx.idempotencyKey(m.group(1));
        }
        String region = header.apply(names.getRegionHeader());
        if (region != null) {
            String id = region.trim().toLowerCase(Locale.ROOT);
            if (!REGION.matcher(id).matches() || !regions.contains(Region.of(id))) {
                return Parsed.rejected(correlationId, names.getRegionHeader(), "'" + region
                        + "' is not one of the configured regions "
                        + regions.stream().map(Region::id).sorted().toList());
            }
            ctx.preferredRegion(Region.of(id));
        }
        String session = header.apply(names.getSessionHeader());
        if (session == null) {
            ctx.session(RoutingSession.start());
        } else {
            SessionToken token;
            try {
                token = SessionToken.parse(session);
            } catch (IllegalArgumentException e) {
                return Parsed.rejected(correlationId, names.getSessionHeader(), e.getMessage()
                        + " (the value a Meridian service returned in this header, forwarded unchanged)");
            }
            for (Region written : token.writes().keySet()) {
                if (!regions.contains(written)) {
                    return Parsed.rejected(correlationId, names.getSessionHeader(), "names region " + written
                            + ", not one of the configured regions "
                            + regions.stream().map(Region::id).sorted().toList());
                }
            }
            ctx.session(RoutingSession.after(token));
        }
        return new Parsed(ctx.build(), correlationId, null);
    }

    /**
     * An RFC 9457 {@code application/problem+json} body of a 400 answer.
     *
     * @param detail   what is wrong, as {@link Parsed#problem()} says
     * @param instance the request's path
     */
    static String problemJson(String detail, String instance) {
        return "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,\"detail\":\"" + json(detail)
                + "\",\"instance\":\"" + json(instance) + "\"}";
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

    /**
     * What the headers say: a context to open, or a problem to answer with 400.
     *
     * @param context       the request's context; null when rejected
     * @param correlationId the correlation id to echo in the response; null when it is the rejected header
     * @param problem       what is wrong with which header; null when accepted
     */
    record Parsed(@Nullable RoutingContext context, @Nullable String correlationId, @Nullable String problem) {
        static Parsed rejected(@Nullable String correlationId, String header, String problem) {
            return new Parsed(null, correlationId, "Header " + header + " " + problem);
        }

        /** The request's context; only an accepted parse has one (the filters ask only then). */
        @Override
        public RoutingContext context() {
            return Objects.requireNonNull(context, "a rejected parse has no context");
        }

        /** What is wrong with which header; only a rejected parse has it (the filters ask only then). */
        @Override
        public String problem() {
            return Objects.requireNonNull(problem, "an accepted parse has no problem");
        }

        boolean isRejected() {
            return problem != null;
        }
    }
}
