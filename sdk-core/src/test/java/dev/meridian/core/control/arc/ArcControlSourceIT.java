package dev.meridian.core.control.arc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.ControlObserver;
import dev.meridian.core.control.RegionControl;
import dev.meridian.core.control.RegionControlState;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * The ARC source with the real AWS SDK client against local endpoints speaking ARC's data-plane protocol (AWS JSON
 * 1.0, {@code X-Amz-Target: ToggleCustomerAPI.*}): one answers, one refuses connections, one is black-holed.
 */
class ArcControlSourceIT {
    private static final String ARN_WEST = "arn:aws:route53-recovery-control::111122223333:controlpanel/p/"
            + "routingcontrol/west";
    private static final String ARN_CENTRAL = "arn:aws:route53-recovery-control::111122223333:controlpanel/p/"
            + "routingcontrol/central";
    private static final String PANEL = "arn:aws:route53-recovery-control::111122223333:controlpanel/p";
    private static final String JSON = "application/x-amz-json-1.0";
    /**
     * Per endpoint: what ends a read of the black-holed endpoint (which answers after 20 s), so its length only costs
     * time; long enough for a first answer of a WireMock server on a busy machine.
     */
    private static final Duration TIMEOUT = Duration.ofMillis(2500);

    private final WireMockServer answering = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private final WireMockServer blackHoled = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private final SdkHttpClient http = UrlConnectionHttpClient.builder().build();
    private URI refusing;

    @BeforeEach
    void start() throws Exception {
        answering.start();
        blackHoled.start();
        blackHoled.stubFor(post(urlPathMatching("/v1/?")).willReturn(aResponse().withFixedDelay(20_000)
                .withHeader("Content-Type", JSON).withBody("{}")));
        try (ServerSocket s = new ServerSocket(0)) {
            refusing = URI.create("http://localhost:" + s.getLocalPort() + "/v1");
        }
        state(ARN_WEST, "Off");
        state(ARN_CENTRAL, "On");
    }

    @AfterEach
    void stop() {
        answering.stop();
        blackHoled.stop();
        http.close();
    }

    private void state(String arn, String state) {
        answering.stubFor(post(urlPathMatching("/v1/?"))
                .withHeader("X-Amz-Target", equalTo("ToggleCustomerAPI.GetRoutingControlState"))
                .withRequestBody(matchingJsonPath("$.RoutingControlArn", equalTo(arn)))
                .willReturn(aResponse().withHeader("Content-Type", JSON).withBody("{\"RoutingControlArn\":\"" + arn
                        + "\",\"RoutingControlName\":\"n\",\"RoutingControlState\":\"" + state + "\"}")));
    }

    private ArcControlSource.Builder source(URI... endpoints) {
        ArcControlSource.Builder b = ArcControlSource.builder().timeout(TIMEOUT).httpClient(http)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .control(Region.EU_WEST_1, ARN_WEST).control(Region.EU_CENTRAL_1, ARN_CENTRAL);
        Region[] regions = {Region.US_EAST_1, Region.US_WEST_2, Region.AP_NORTHEAST_1};
        for (int i = 0; i < endpoints.length; i++) {
            b.endpoint(endpoints[i], regions[i]);
        }
        return b;
    }

    private URI uri(WireMockServer server) {
        return URI.create("http://localhost:" + server.port() + "/v1");
    }

    @Test
    void triesTheEndpointsInARandomOrderAndMovesPastRefusingAndBlackHoledOnes() {
        WireMockServer second = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        second.start();
        second.stubFor(post(urlPathMatching("/v1/?")).willReturn(aResponse().proxiedFrom(
                "http://localhost:" + answering.port())));
        try (ArcControlSource both = source(uri(answering), uri(second)).build()) {
            for (int i = 0; i < 20; i++) {
                assertThat(both.read().isOn(Region.EU_WEST_1)).isFalse();
            }
            // Each read starts at a random endpoint: both are used (a fixed order would leave one idle).
            assertThat(second.getAllServeEvents()).isNotEmpty();
        } finally {
            second.stop();
        }
        try (ArcControlSource arc = source(refusing, uri(blackHoled), uri(answering)).build()) {
            for (int i = 0; i < 30 && blackHoled.getAllServeEvents().isEmpty(); i++) {
                RegionControlState s = arc.read();
                assertThat(s.isOn(Region.EU_WEST_1)).isFalse();
                assertThat(s.isOn(Region.EU_CENTRAL_1)).isTrue();
            }
            assertThat(blackHoled.getAllServeEvents()).as("the black-holed endpoint was tried and passed").isNotEmpty();
            assertThat(arc.read().isOn(Region.EU_CENTRAL_1)).isTrue();
        }
        answering.verify(postRequestedFor(urlPathMatching("/v1/?"))
                .withHeader("X-Amz-Target", equalTo("ToggleCustomerAPI.GetRoutingControlState"))
                .withHeader("Content-Type", equalTo(JSON))
                .withHeader("Authorization", containing("route53-recovery-cluster")));
    }

    @Test
    void oneListRoutingControlsReadsAControlPanel() {
        answering.stubFor(post(urlPathMatching("/v1/?"))
                .withHeader("X-Amz-Target", equalTo("ToggleCustomerAPI.ListRoutingControls"))
                .withRequestBody(matchingJsonPath("$.ControlPanelArn", equalTo(PANEL)))
                .willReturn(aResponse().withHeader("Content-Type", JSON).withBody("{\"RoutingControls\":["
                        + "{\"ControlPanelArn\":\"" + PANEL + "\",\"RoutingControlArn\":\"" + ARN_WEST
                        + "\",\"RoutingControlState\":\"On\"},{\"ControlPanelArn\":\"" + PANEL
                        + "\",\"RoutingControlArn\":\"" + ARN_CENTRAL + "\",\"RoutingControlState\":\"Off\"}]}")));
        try (ArcControlSource arc = source(uri(answering)).controlPanelArn(PANEL).build()) {
            RegionControlState s = arc.read();
            assertThat(s.isOn(Region.EU_WEST_1)).isTrue();
            assertThat(s.isOn(Region.EU_CENTRAL_1)).isFalse();
        }
    }

    @Test
    void everyEndpointDownFailsStatic() {
        ArcControlSource arc = source(refusing, uri(blackHoled), uri(answering)).build();
        try (RegionControl control = new RegionControl(ControlConfig.builder(arc).build(),
                List.of(Region.EU_WEST_1, Region.EU_CENTRAL_1), ControlObserver.NONE, Clock.systemUTC())) {
            assertThat(control.refreshNow()).isTrue();
            answering.stop();
            assertThatThrownBy(arc::read).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("No ARC cluster endpoint answered")
                    .satisfies(e -> assertThat(e.getSuppressed()).hasSize(3));
            assertThat(control.refreshNow()).isFalse();
            assertThat(control.isOn(Region.EU_WEST_1)).isFalse();
            assertThat(control.status().outage()).isTrue();
        }
    }
}
