package dev.meridian.aurora.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.routing.RoutingContext;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecentWritersTest {
    private final RecentWriters sessions = new RecentWriters(Duration.ofMinutes(1));

    @Test
    void forgettingDropsEverySessionsWriteWithinTheWindow() {
        RoutingContext alice = RoutingContext.builder().correlationId("alice").build();
        RoutingContext bob = RoutingContext.builder().correlationId("bob").build();
        sessions.recordWrite(alice);
        assertThat(sessions.recentlyWrote(alice)).isTrue();
        assertThat(sessions.recentlyWrote(bob)).isFalse();

        sessions.forget();

        assertThat(sessions.recentlyWrote(alice)).isFalse();
        sessions.recordWrite(bob);
        assertThat(sessions.recentlyWrote(bob)).as("writes after forgetting count again").isTrue();
    }
}
