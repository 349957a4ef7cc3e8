package dev.meridian.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

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
    void severalRegionsRoundTripAsVersionTwoInRegionOrder() {
        long west = clock.now();
        long central = clock.now();
        long us = clock.now();
        SessionToken token = SessionToken.of(Region.US_EAST_1, us).merge(SessionToken.of(Region.EU_WEST_1, west))
                .merge(SessionToken.of(Region.EU_CENTRAL_1, central));
        assertThat(token.format()).isEqualTo("2:eu-central-1:" + Long.toHexString(central) + ",eu-west-1:"
                + Long.toHexString(west) + ",us-east-1:" + Long.toHexString(us));
        assertThat(SessionToken.parse(token.format())).isEqualTo(token);
        assertThat(token.writes()).containsExactly(entry(Region.EU_CENTRAL_1, central), entry(Region.EU_WEST_1, west),
                entry(Region.US_EAST_1, us));
        assertThat(token.region()).as("the latest write").isEqualTo(Region.US_EAST_1);
        assertThat(token.stamp()).isEqualTo(us);
        assertThat(SessionToken.parse("2:us-east-1:" + Long.toHexString(us) + ",eu-west-1:" + Long.toHexString(west)))
                .as("entries in any order").isEqualTo(SessionToken.of(Region.EU_WEST_1, west)
                        .merge(SessionToken.of(Region.US_EAST_1, us)));
        assertThatThrownBy(() -> token.writes().put(Region.AP_SOUTHEAST_2, 1L))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void oneRegionStaysVersionOneSoOlderReadersKeepReadingIt() {
        long first = clock.now();
        long second = clock.now();
        SessionToken token = SessionToken.of(Region.EU_WEST_1, first).merge(SessionToken.of(Region.EU_WEST_1, second));
        assertThat(token.format()).isEqualTo("1:eu-west-1:" + Long.toHexString(second));
        assertThat(token.writes()).containsExactly(entry(Region.EU_WEST_1, second));
        assertThat(SessionToken.parse("1:eu-west-1:18c3a0f2b4e0001").writes())
                .containsExactly(entry(Region.EU_WEST_1, 0x18c3a0f2b4e0001L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2:eu-west-1:ff,", "2:eu-west-1:ff,eu-west-2", "2:eu-west-1:ff;us-east-1:fe",
            "2:eu-west-1:ff,,us-east-1:fe", "2:eu-west-1:ff,US-EAST-1:fe", "2:eu-west-1:ff,us-east-1:xyz",
            "2:,eu-west-1:ff", "3:eu-west-1:ff,us-east-1:fe"})
    void malformedVersionTwoTextIsRefusedWithTheRule(String text) {
        assertThatThrownBy(() -> SessionToken.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(is not a session token of format version 2|has format version 3).*");
    }

    @Test
    void versionTwoRefusesDuplicatesOneEntryOutOfRangeStampsAndTooManyEntries() {
        assertThatThrownBy(() -> SessionToken.parse("2:eu-west-1:ff,us-east-1:fe,eu-west-1:fd"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("names region eu-west-1 twice, a session"
                        + " token each region once");
        assertThatThrownBy(() -> SessionToken.parse("2:eu-west-1:ff")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("has format version 2 with one entry");
        assertThatThrownBy(() -> SessionToken.parse("2:eu-west-1:ff,us-east-1:ffffffffffffffff"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("has a stamp out of range");

        StringBuilder tooMany = new StringBuilder("2:");
        for (int i = 0; i <= SessionToken.MAX_REGIONS; i++) {
            tooMany.append(i == 0 ? "" : ",").append("xx-region-").append(i % 100).append(i < 100 ? "" : "x")
                    .append(":ff");
        }
        assertThatThrownBy(() -> SessionToken.parse(tooMany.toString())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("names 65 regions, a session token at most 64");
        String tooLong = "2:eu-west-1:ff," + "a".repeat(SessionToken.MAX_TEXT_LENGTH);
        assertThatThrownBy(() -> SessionToken.parse(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("characters long, a session token at most 4096");
    }

    @Test
    void mergeKeepsTheGreaterStampPerRegionAndReusesATokenThatAlreadyHoldsIt() {
        long westOld = clock.now();
        long central = clock.now();
        long westNew = clock.now();
        SessionToken a = SessionToken.of(Region.EU_WEST_1, westOld).merge(SessionToken.of(Region.EU_CENTRAL_1, central));
        SessionToken b = SessionToken.of(Region.EU_WEST_1, westNew);
        SessionToken merged = a.merge(b);
        assertThat(merged.writes()).containsExactly(entry(Region.EU_CENTRAL_1, central),
                entry(Region.EU_WEST_1, westNew));
        assertThat(b.merge(a)).isEqualTo(merged);
        assertThat(merged.merge(SessionToken.of(Region.EU_WEST_1, westOld))).isSameAs(merged);
        assertThat(merged.merge(a)).isSameAs(merged);
        assertThat(b.merge(SessionToken.of(Region.EU_WEST_1, westOld))).isSameAs(b);
        assertThat(SessionToken.of(Region.EU_WEST_1, westOld).merge(merged)).isSameAs(merged);
    }

    @Test
    void aSessionKeepsEveryRegionsLatestWriteAndSaysWhetherItWrote() {
        SessionToken first = SessionToken.of(Region.EU_WEST_1, clock.now());
        SessionToken second = SessionToken.of(Region.US_EAST_1, clock.now());
        RoutingSession session = RoutingSession.after(second);
        assertThat(session.wrote()).isFalse();
        session.recordWrite(first);
        SessionToken held = session.token().orElseThrow();
        assertThat(held.writes()).containsExactly(entry(Region.EU_WEST_1, first.stamp()),
                entry(Region.US_EAST_1, second.stamp()));
        assertThat(held.region()).as("the latest write").isEqualTo(Region.US_EAST_1);
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
