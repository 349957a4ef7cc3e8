package dev.meridian.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.clock.HybridLogicalClock;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.regions.Region;

class SessionTokenTest {
    private final HybridLogicalClock clock = new HybridLogicalClock(() -> 1_765_000_000_000L);

    @Test
    void textFormRoundTripsRegionAndStamp() {
        long stamp = clock.now();
        SessionToken token = SessionToken.of(Region.EU_WEST_1, stamp);
        assertThat(token.format()).isEqualTo("1:eu-west-1:" + Long.toHexString(stamp));
        assertThat(SessionToken.parse(token.format())).isEqualTo(token);
        assertThat(token.time()).isEqualTo(Instant.ofEpochMilli(1_765_000_000_000L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "1:eu-west-1", "1:EU-WEST-1:ff", "1:eu-west-1:xyz", "1:eu-west-1:-1",
            "1:eu-west-1:ffffffffffffffff", "1:eu-west-1:10000000000000000", "2:eu-west-1:ff"})
    void malformedTextIsRefusedWithTheRule(String text) {
        assertThatThrownBy(() -> SessionToken.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(is not a session token of the form|has format version|has a stamp).*");
    }

    @Test
    void aSessionKeepsTheLaterWriteAndSaysWhetherItWrote() {
        SessionToken first = SessionToken.of(Region.EU_WEST_1, clock.now());
        SessionToken second = SessionToken.of(Region.US_EAST_1, clock.now());
        RoutingSession session = RoutingSession.after(second);
        assertThat(session.wrote()).isFalse();
        session.recordWrite(first);
        assertThat(session.token()).contains(second);
        assertThat(session.wrote()).isTrue();
        assertThat(RoutingSession.start().token()).isEmpty();
    }

    @Test
    void theContextCarriesTheSessionThroughToBuilder() {
        RoutingSession session = RoutingSession.start();
        RoutingContext ctx = RoutingContext.builder().session(session).build();
        assertThat(ctx.toBuilder().build().session()).containsSame(session);
        assertThat(ctx.isDeclared()).isFalse();
        assertThat(RoutingContext.empty().session()).isEmpty();
    }
}
