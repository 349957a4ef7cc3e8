package dev.meridian.samples.drill;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.util.List;

/**
 * An ARC cluster endpoint in the drill's JVM: WireMock speaking the data plane's JSON protocol (awsJson1_0, target
 * {@code ToggleCustomerAPI}), one routing control per drill region, all On at start. Each control is a WireMock
 * scenario, so an {@code UpdateRoutingControlStates} entry turning it Off or On changes what
 * {@code GetRoutingControlState} answers afterwards, as ARC does: the real AWS SDK clients of the CLI and of the
 * mirrors talk to it.
 */
final class ArcStub implements AutoCloseable {
    private static final String TARGET = "X-Amz-Target";
    private static final String GET = "ToggleCustomerAPI.GetRoutingControlState";
    private static final String UPDATE = "ToggleCustomerAPI.UpdateRoutingControlStates";
    private static final String PATH = "/v1/?";
    private static final String OFF = "Off";

    private final WireMockServer server = new WireMockServer(options().dynamicPort());

    ArcStub() {
        server.start();
        for (String region : Phase.REGIONS) {
            control(region);
        }
    }

    /** The routing control ARN of a drill region. */
    static String arn(String region) {
        return "arn:aws:route53-recovery-control::111122223333:controlpanel/drill/routingcontrol/" + region;
    }

    /** The cluster endpoint's URL. */
    URI uri() {
        return URI.create("http://localhost:" + server.port() + "/v1");
    }

    /** {@code GetRoutingControlState} calls answered so far (every reader's). */
    int reads() {
        return server.countRequestsMatching(postRequestedFor(urlPathMatching(PATH))
                .withHeader(TARGET, equalTo(GET)).build()).getCount();
    }

    /** The CLI's connection options for this endpoint and the drill's controls (before the command). */
    List<String> cliOptions() {
        List<String> options = new java.util.ArrayList<>(List.of("--backend", "arc",
                "--arc-endpoint", Phase.EU_WEST_1 + "=" + uri()));
        for (String region : Phase.REGIONS) {
            options.addAll(List.of("--arc-control", region + "=" + arn(region)));
        }
        return options;
    }

    private void control(String region) {
        String arn = arn(region);
        String scenario = "control " + region;
        for (String state : List.of("On", OFF)) {
            server.stubFor(post(urlPathMatching(PATH)).inScenario(scenario)
                    .whenScenarioStateIs(state.equals(OFF) ? OFF : Scenario.STARTED)
                    .withHeader(TARGET, equalTo(GET))
                    .withRequestBody(matchingJsonPath("$.RoutingControlArn", equalTo(arn)))
                    .willReturn(json("{\"RoutingControlArn\":\"" + arn + "\",\"RoutingControlName\":\"" + region
                            + "\",\"RoutingControlState\":\"" + state + "\"}")));
            server.stubFor(post(urlPathMatching(PATH)).inScenario(scenario)
                    .willSetStateTo(state.equals(OFF) ? OFF : Scenario.STARTED)
                    .withHeader(TARGET, equalTo(UPDATE))
                    .withRequestBody(matchingJsonPath("$.UpdateRoutingControlStateEntries[?(@.RoutingControlArn == '"
                            + arn + "' && @.RoutingControlState == '" + state + "')]"))
                    .willReturn(json("{}")));
        }
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0").withBody(body);
    }

    @Override
    public void close() {
        server.stop();
    }
}
