package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.residency.DataClass;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.SessionToken;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import software.amazon.awssdk.regions.Region;

/** The request filter: headers to RoutingContext, malformed headers to 400 problem+json, and its conditions. */
class RoutingContextFilterTest {
    private final RoutingContextFilter filter = new RoutingContextFilter(new MeridianProperties.Web(),
            List.of(Region.EU_WEST_1, Region.EU_CENTRAL_1, Region.US_EAST_1));
    private final AtomicReference<RoutingContext> seen = new AtomicReference<>();
    private final AtomicReference<String> mdc = new AtomicReference<>();

    private MockHttpServletResponse run(MockHttpServletRequest request) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(jakarta.servlet.http.HttpServletRequest req,
                    jakarta.servlet.http.HttpServletResponse res) {
                seen.set(RoutingContext.current());
                mdc.set(MDC.get(RoutingContext.MDC_KEY));
            }
        }));
        return response;
    }

    @Test
    void returnsTheSessionTokenOfAWriteBeforeTheBodyIsCommitted() throws Exception {
        SessionToken written = SessionToken.of(Region.EU_CENTRAL_1, 1L << 41);
        MockHttpServletRequest request = new MockHttpServletRequest("PUT", "/orders/1");
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(jakarta.servlet.http.HttpServletRequest req,
                    jakarta.servlet.http.HttpServletResponse res) throws java.io.IOException {
                RoutingContext.current().session().orElseThrow().recordWrite(written);
                res.getWriter().write("ok");
                res.flushBuffer();
            }
        }));
        assertThat(response.isCommitted()).isTrue();
        assertThat(response.getHeader("Meridian-Session")).isEqualTo(written.format());

        MockHttpServletResponse read = run(new MockHttpServletRequest("GET", "/orders/1"));
        assertThat(read.getHeader("Meridian-Session")).isNull();
        assertThat(seen.get().session()).hasValueSatisfying(session -> assertThat(session.token()).isEmpty());
    }

    @Test
    void opensTheRequestsContextFromItsHeaders() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/orders");
        request.addHeader("X-Subject-Country", "de");
        request.addHeader("X-Data-Class", "restricted");
        request.addHeader("X-Correlation-Id", "req-42");
        request.addHeader("Idempotency-Key", "\"8e03978e-40d5-43e8\"");
        request.addHeader("X-Meridian-Region", "EU-Central-1");

        MockHttpServletResponse response = run(request);

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(seen.get().subjectCountry()).contains("DE");
        assertThat(seen.get().dataClass()).isEqualTo(DataClass.RESTRICTED);
        assertThat(seen.get().correlationId()).contains("req-42");
        assertThat(seen.get().idempotencyKey()).contains("8e03978e-40d5-43e8");
        assertThat(seen.get().preferredRegion()).contains(Region.EU_CENTRAL_1);
        assertThat(mdc.get()).isEqualTo("req-42");
        assertThat(response.getHeader("X-Correlation-Id")).isEqualTo("req-42");
        assertThat(RoutingContext.current()).as("closed after the request").isSameAs(RoutingContext.empty());
    }

    @Test
    void generatesAndEchoesACorrelationIdWhenAbsent() throws Exception {
        MockHttpServletResponse response = run(new MockHttpServletRequest("GET", "/orders/1"));

        String id = response.getHeader("X-Correlation-Id");
        assertThat(id).isNotBlank();
        assertThat(seen.get().correlationId()).contains(id);
        assertThat(mdc.get()).isEqualTo(id);
        assertThat(seen.get().isDeclared()).as("no routing headers: a call without a context").isFalse();
    }

    @Test
    void aRequestNamingOnlyItsKeyAndRegionDeclaresNothingAboutItsData() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/orders");
        request.addHeader("Idempotency-Key", "\"k-1\"");
        request.addHeader("X-Meridian-Region", "eu-central-1");

        run(request);

        assertThat(seen.get().isDeclared()).isFalse();
        assertThat(seen.get().idempotencyKey()).contains("k-1");
        assertThat(seen.get().preferredRegion()).contains(Region.EU_CENTRAL_1);
    }

    @Test
    void malformedHeadersAreRejectedWithProblemJsonNamingTheHeader() throws Exception {
        String[][] bad = {{"X-Subject-Country", "DEU"}, {"X-Data-Class", "RESTRICTED;drop"},
                {"X-Correlation-Id", "a b"}, {"Idempotency-Key", "\"\""},
                {"X-Meridian-Region", "eu-west-1; drop"}, {"X-Meridian-Region", "ap-south-1"}};
        for (String[] header : bad) {
            seen.set(null);
            MockHttpServletRequest request = new MockHttpServletRequest("POST", "/orders");
            request.addHeader(header[0], header[1]);

            MockHttpServletResponse response = run(request);

            assertThat(response.getStatus()).as(header[0]).isEqualTo(400);
            assertThat(response.getContentType()).startsWith("application/problem+json");
            assertThat(response.getContentAsString()).contains("\"status\":400")
                    .contains("Header " + header[0]).contains("\"instance\":\"/orders\"");
            assertThat(seen.get()).as("the request did not run").isNull();
        }
    }

    @Test
    void anUnknownRegionIsRefusedNamingTheConfiguredOnes() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders/1");
        request.addHeader("X-Meridian-Region", "ap-south-1");

        assertThat(run(request).getContentAsString()).contains("Header X-Meridian-Region 'ap-south-1' is not one of"
                + " the configured regions [eu-central-1, eu-west-1, us-east-1]");
    }

    @Test
    void aTokenOfSeveralRegionsIsAcceptedAndRefusedWhenAnyOfThemIsNotConfigured() throws Exception {
        MockHttpServletRequest accepted = new MockHttpServletRequest("GET", "/orders/1");
        accepted.addHeader("Meridian-Session", "2:eu-central-1:1a2516123710000,eu-west-1:1a2516123700000");
        assertThat(run(accepted).getStatus()).isEqualTo(200);
        assertThat(seen.get().session().orElseThrow().token().orElseThrow().writes())
                .containsOnlyKeys(Region.EU_CENTRAL_1, Region.EU_WEST_1);

        seen.set(null);
        MockHttpServletRequest foreign = new MockHttpServletRequest("GET", "/orders/1");
        foreign.addHeader("Meridian-Session", "2:ap-south-1:1a2516123710000,eu-west-1:1a2516123700000");
        MockHttpServletResponse refused = run(foreign);
        assertThat(refused.getStatus()).isEqualTo(400);
        assertThat(refused.getContentAsString()).contains("Header Meridian-Session names region ap-south-1, not one of"
                + " the configured regions [eu-central-1, eu-west-1, us-east-1]");
        assertThat(seen.get()).as("the request did not run").isNull();
    }

    @Test
    void headerNamesComeFromTheProperties() throws Exception {
        MeridianProperties.Web renamed = new MeridianProperties.Web();
        renamed.setRegionHeader("X-Session-Region");
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders/1");
        request.addHeader("X-Session-Region", "us-east-1");
        request.addHeader("X-Meridian-Region", "not a region");
        MockHttpServletResponse response = new MockHttpServletResponse();

        new RoutingContextFilter(renamed, List.of(Region.US_EAST_1)).doFilter(request, response,
                new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected void service(jakarta.servlet.http.HttpServletRequest req,
                            jakarta.servlet.http.HttpServletResponse res) {
                        seen.set(RoutingContext.current());
                    }
                }));

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(seen.get().preferredRegion()).contains(Region.US_EAST_1);
    }

    @Test
    void registeredInServletApplicationsOnlyAndUnlessDisabled() {
        WebApplicationContextRunner web = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianWebAutoConfiguration.class))
                .withPropertyValues("meridian.regions=eu-west-1");
        web.run(ctx -> assertThat(ctx).hasSingleBean(FilterRegistrationBean.class));
        web.withPropertyValues("meridian.web.enabled=false").run(ctx ->
                assertThat(ctx).doesNotHaveBean(FilterRegistrationBean.class));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                MeridianWebAutoConfiguration.class)).withPropertyValues("meridian.regions=eu-west-1")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(FilterRegistrationBean.class));
    }
}
