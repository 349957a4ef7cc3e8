package dev.meridian.cli.acceptance;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.meridian.cli.MeridianCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * meridian-cli/README.md's exit 4 ("nothing written") on the ARC backend when ARC applied the update but its answer
 * was lost: one cluster endpoint (WireMock speaking ARC's JSON, awsJson1_0, target ToggleCustomerAPI) takes the
 * update — a scenario turns eu-west-1's control Off as the request arrives — and answers after the CLI's --timeout.
 * The CLI reads the controls back and reports the drain as done; when the update did not take, exit 4 stands.
 */
@ExtendWith(TestkitCredentials.class)
class CliArcLostAnswerIT {
    private static final String TARGET = "X-Amz-Target";
    private static final String WEST = "arn:aws:route53-recovery-control::111122223333:controlpanel/p/routingcontrol/euw1";
    private static final String CENTRAL = "arn:aws:route53-recovery-control::111122223333:controlpanel/p/routingcontrol/euc1";
    private static final String DRAIN = "drain";
    private WireMockServer arc;

    @BeforeEach
    void start() {
        arc = new WireMockServer(options().dynamicPort());
        arc.start();
        state(CENTRAL, "On", Scenario.STARTED);
        state(CENTRAL, "On", "applied");
        state(WEST, "On", Scenario.STARTED);
    }

    @AfterEach
    void stop() {
        arc.stop();
    }

    private void state(String arn, String state, String when) {
        arc.stubFor(post(urlEqualTo("/")).inScenario(DRAIN).whenScenarioStateIs(when)
                .withHeader(TARGET, equalTo("ToggleCustomerAPI.GetRoutingControlState"))
                .withRequestBody(matchingJsonPath("$.RoutingControlArn", equalTo(arn)))
                .willReturn(json("{\"RoutingControlArn\":\"" + arn + "\",\"RoutingControlState\":\"" + state
                        + "\",\"RoutingControlName\":\"" + arn.substring(arn.lastIndexOf('/') + 1) + "\"}")));
    }

    /** The update is received (and, when {@code takes}, applied) but answered only after the CLI's timeout. */
    private void updateAnsweredLate(boolean takes) {
        var update = post(urlEqualTo("/")).inScenario(DRAIN).whenScenarioStateIs(Scenario.STARTED)
                .withHeader(TARGET, equalTo("ToggleCustomerAPI.UpdateRoutingControlStates"))
                .willReturn(json("{}").withFixedDelay(4000));
        arc.stubFor(takes ? update.willSetStateTo("applied") : update);
        state(WEST, "Off", "applied");
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0").withBody(body);
    }

    private record Run(int code, String err) {
    }

    private Run drainWest() {
        List<String> args = new ArrayList<>(List.of("--backend", "arc", "--timeout", "2",
                "--arc-endpoint", "eu-west-1=http://localhost:" + arc.port(),
                "--arc-control", "eu-west-1=" + WEST, "--arc-control", "eu-central-1=" + CENTRAL,
                DRAIN, "eu-west-1"));
        StringWriter err = new StringWriter();
        int code = MeridianCli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                args.toArray(String[]::new));
        return new Run(code, err.toString());
    }

    @Test
    void anUpdateArcAppliedButWhoseAnswerWasLostIsReportedDone() {
        updateAnsweredLate(true);
        Run drain = drainWest();
        assertThat(drain.code()).as(drain.err()).isZero();
        assertThat(arc.findAll(postRequestedFor(urlEqualTo("/"))
                .withHeader(TARGET, equalTo("ToggleCustomerAPI.UpdateRoutingControlStates")))).hasSize(1);
    }

    @Test
    void anUpdateThatDidNotTakeStillExitsWithFour() {
        updateAnsweredLate(false);
        Run drain = drainWest();
        assertThat(drain.code()).as(drain.err()).isEqualTo(4);
        assertThat(drain.err()).contains("nothing was written");
    }
}
