package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicationProgressTest {

    @Test
    void caughtUpOnlyWhenEveryStreamIsReadNothingIsPendingAndTheLastCycleAppliedNothing() {
        Map<String, Boolean> allRead = Map.of("orders@eu-west-1", true, "orders@us-east-1", true);

        assertThat(new ReplicationProgress(3, 10, 0, allRead, Map.of(), List.of()).caughtUp()).isTrue();
        assertThat(new ReplicationProgress(3, 10, 2, allRead, Map.of(), List.of()).caughtUp()).isFalse();
        assertThat(new ReplicationProgress(3, 10, 0, allRead, Map.of("eu-west-1->us-east-1", 1), List.of())
                .caughtUp()).isFalse();
        assertThat(new ReplicationProgress(3, 10, 0, Map.of("orders@eu-west-1", false), Map.of(), List.of())
                .caughtUp()).isFalse();
    }

    @Test
    void describeNamesTheUnreadStreamsAndThePendingLinksAndWhetherTheyArePaused() {
        ReplicationProgress progress = new ReplicationProgress(7, 120, 0,
                Map.of("orders@eu-west-1", false, "stock@us-east-1", true),
                Map.of("eu-west-1->us-east-1", 312, "eu-west-1->eu-central-1", 0), List.of("eu-west-1->us-east-1"));

        assertThat(progress.describe())
                .isEqualTo("streams not read to the end: [orders@eu-west-1]; eu-west-1->us-east-1 312 pending"
                        + " (link paused)");
        assertThat(progress.pendingChanges()).isEqualTo(312);
    }
}
