package dev.meridian.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The ARC path: the real AWS SDK route53recoverycluster client against WireMock servers speaking ARC's JSON
 * protocol (awsJson1_0, target ToggleCustomerAPI), one cluster endpoint answering and one refusing connections.
 */
class ArcRoutingControlsIT {
    private static final String TARGET = "X-Amz-Target";
    private static final String EU_WEST = "arn:aws:route53-recovery-control::111122223333:controlpanel/p/routingcontrol/euw1";
    private static final String EU_CENTRAL = "arn:aws:route53-recovery-control::111122223333:controlpanel/p/routingcontrol/euc1";
    private static final String US_EAST = "arn:aws:route53-recovery-control::111122223333:controlpanel/p/routingcontrol/use1";

    private WireMockServer arc;
    private int refusingPort;
    private int arcPort;

    @BeforeAll
    static void credentials() {
        System.setProperty("aws.accessKeyId", "meridiantestkit");
        System.setProperty("aws.secretAccessKey", "meridiantestkit");
    }

    @BeforeEach
    void start() throws IOException {
        arc = new WireMockServer(options().dynamicPort());
        arc.start();
        arcPort = arc.port();
        try (ServerSocket s = new ServerSocket(0)) {
            refusingPort = s.getLocalPort();   // closed again: connections to it are refused
        }
        state(EU_WEST, "On");
        state(EU_CENTRAL, "Off");
        state(US_EAST, "On");
        arc.stubFor(post(urlEqualTo("/")).withHeader(TARGET, equalTo("ToggleCustomerAPI.UpdateRoutingControlStates"))
                .willReturn(json("{}")));
    }

    @AfterEach
    void stop() {
        if (arc.isRunning()) {
            arc.stop();
        }
    }

    private void state(String arn, String state) {
        arc.stubFor(post(urlEqualTo("/")).withHeader(TARGET, equalTo("ToggleCustomerAPI.GetRoutingControlState"))
                .withRequestBody(matchingJsonPath("$.RoutingControlArn", equalTo(arn)))
                .willReturn(json("{\"RoutingControlArn\":\"" + arn + "\",\"RoutingControlState\":\"" + state
                        + "\",\"RoutingControlName\":\"" + arn.substring(arn.lastIndexOf('/') + 1) + "\"}")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0").withBody(body);
    }

    private int meridian(StringWriter out, StringWriter err, String... args) {
        // The refusing endpoint fails at once and a stopped one is refused too: the timeout only bounds the answering
        // endpoint, whose first call in a cold JVM on a loaded machine can take seconds.
        List<String> all = new ArrayList<>(List.of("--backend", "arc", "--timeout", "10",
                "--arc-endpoint", "us-west-2=http://localhost:" + refusingPort,
                "--arc-endpoint", "eu-west-1=http://localhost:" + arcPort,
                "--arc-control", "eu-west-1=" + EU_WEST, "--arc-control", "eu-central-1=" + EU_CENTRAL,
                "--arc-control", "us-east-1=" + US_EAST));
        all.addAll(Arrays.asList(args));
        CommandLine cli = MeridianCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(all.toArray(String[]::new));
    }

    private List<LoggedRequest> updates() {
        return arc.findAll(postRequestedFor(urlEqualTo("/"))
                .withHeader(TARGET, equalTo("ToggleCustomerAPI.UpdateRoutingControlStates")));
    }

    @Test
    void statusReadsEachControlFromAnEndpointThatAnswers() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // several runs: the endpoint order is random, the refusing one is skipped whenever it comes first
        for (int i = 0; i < 3; i++) {
            assertThat(meridian(out, err, "status")).as(err.toString()).isZero();
        }
        assertThat(out.toString()).containsPattern("eu-west-1\\s+ON").containsPattern("eu-central-1\\s+OFF")
                .containsPattern("us-east-1\\s+ON");
    }

    @Test
    void drainingTheEusLastOnRegionIsRefusedAndSendsNoUpdate() {
        StringWriter err = new StringWriter();
        assertThat(meridian(new StringWriter(), err, "drain", "eu-west-1")).isEqualTo(ExitCodes.REFUSED);
        assertThat(err.toString()).contains("EU would have no ON region");
        assertThat(updates()).isEmpty();
    }

    @Test
    void aForcedDrainSendsUpdateRoutingControlStates() {
        assertThat(meridian(new StringWriter(), new StringWriter(), "drain", "eu-west-1", "--force")).isZero();
        assertThat(updates()).singleElement().satisfies(r -> assertThat(r.getBodyAsString())
                .contains("\"RoutingControlArn\":\"" + EU_WEST + "\"")
                .contains("\"RoutingControlState\":\"Off\""));
    }

    @Test
    void aDryRunSendsNoUpdate() {
        StringWriter out = new StringWriter();
        assertThat(meridian(out, new StringWriter(), "undrain", "eu-central-1", "--dry-run")).isZero();
        assertThat(out.toString()).contains("eu-central-1: OFF -> ON").contains("dry run");
        assertThat(updates()).isEmpty();
    }

    @Test
    void weightsAreAUsageErrorOnArc() {
        StringWriter err = new StringWriter();
        assertThat(meridian(new StringWriter(), err, "weights", "eu-west-1=50,us-east-1=50"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("weights need the control table");
    }

    @Test
    void noEndpointAnsweringExitsWithFour() {
        arc.stop();
        StringWriter err = new StringWriter();
        assertThat(meridian(new StringWriter(), err, "status")).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(err.toString()).contains("no ARC cluster endpoint answered");
    }
}
