package dev.meridian.dynamodb.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.residency.DataClass;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Saga definitions and the log item's encoding: pure logic (the runner is tested on real regions in SagasIT). */
class SagaDefinitionTest {

    private static final SagaStep.Action OK = ctx -> "ok";

    @Test
    void aSagaKeepsItsStepsInOrderWithTheirTimeouts() {
        Saga saga = Saga.builder("order").dataClass(DataClass.RESTRICTED)
                .step("reserve", OK, SagaStep.Compensation.none())
                .step(SagaStep.builder("charge").action(OK).compensation(ctx -> { })
                        .timeout(Duration.ofSeconds(5)).build())
                .build();

        assertThat(saga.steps()).extracting(SagaStep::name).containsExactly("reserve", "charge");
        assertThat(saga.steps().get(1).timeout()).contains(Duration.ofSeconds(5));
        assertThat(saga.steps().get(0).timeout()).isEmpty();
        assertThat(saga.dataClass()).contains(DataClass.RESTRICTED);
    }

    /**
     * Every run of a saga is one DynamoDB item (at most 400 KB) holding each step's name and status beside the id and
     * input. Before: a definition whose steps alone outgrew it was accepted and refused by DynamoDB at its first
     * {@code start} (a ValidationException, for every run).
     */
    @Test
    void aDefinitionTooLargeForTheSagaLogItemIsRefusedWhenBuilt() {
        Saga.Builder fits = Saga.builder("fits");
        Saga.Builder tooLarge = Saga.builder("huge");
        for (int i = 0; i < 2_000; i++) {
            fits.step(String.format("step-%058d", i), OK, SagaStep.Compensation.none());
        }
        for (int i = 0; i < 5_000; i++) {
            tooLarge.step(String.format("step-%058d", i), OK, SagaStep.Compensation.none());
        }

        assertThat(fits.build().steps()).hasSize(2_000);
        assertThatThrownBy(tooLarge::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Saga 'huge' steps must fit in the saga's log item (DynamoDB's 409600 bytes)")
                .hasMessageContaining("was 5000 steps needing up to")
                .hasMessageContaining("use fewer steps or shorter step names");
    }

    @Test
    void badDefinitionsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> Saga.builder("order").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Saga 'order' steps must have at least one step");
        assertThatThrownBy(() -> Saga.builder("order").step("a", OK, SagaStep.Compensation.none())
                .step("a", OK, SagaStep.Compensation.none())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("step name must be unique, was 'a'");
        assertThatThrownBy(() -> Saga.builder("order/1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Saga name must be 1 to 64 letters");
        assertThatThrownBy(() -> SagaStep.builder("a").action(OK).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SagaStep 'a' compensation is required");
        assertThatThrownBy(() -> SagaStep.builder("a").timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SagaStep 'a' timeout");
    }

    @Test
    void sagasRefusesAClientThatIsNotMultiRegion() {
        try (DynamoDbClient plain = DynamoDbClient.builder()
                .region(software.amazon.awssdk.regions.Region.EU_WEST_1).build()) {
            assertThatThrownBy(() -> Sagas.builder().client(plain)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Sagas.client must be a multi-region client");
        }
        assertThatThrownBy(() -> Sagas.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Sagas.client is required");
    }

    @Test
    void theLogItemRoundTripsEveryField() {
        Saga saga = Saga.builder("order").step("a", OK, SagaStep.Compensation.none())
                .step("b", OK, SagaStep.Compensation.none()).build();
        Instant now = Instant.ofEpochMilli(1_700_000_000_123L);
        SagaRecord record = SagaRecord.started("id-1", saga, "in", "RESTRICTED", "DE", now);
        record.statuses.put("a", SagaStepStatus.DONE);
        record.results.put("a", "r-a");
        record.statuses.put("b", SagaStepStatus.FAILED_MAYBE_APPLIED);
        record.state = SagaState.COMPENSATING;
        record.failure = "step 'b' failed: X";
        record.leasedTo("run-1", now.plusSeconds(60));

        SagaRecord back = SagaLog.decode(SagaLog.encode(record));

        assertThat(back.toResult()).usingRecursiveComparison().isEqualTo(record.toResult());
        assertThat(back.stepNames).containsExactly("a", "b");
        assertThat(back.dataClass).isEqualTo("RESTRICTED");
        assertThat(back.subjectCountry).isEqualTo("DE");
        assertThat(back.owner).isEqualTo("run-1");
        assertThat(back.leaseUntil).isEqualTo(now.plusSeconds(60));
        assertThat(back.version).isEqualTo(1);
        assertThat(back.created).isEqualTo(now);
        assertThat(back.lastToCompensate()).isEqualTo(1);
        assertThat(back.firstPending()).isEqualTo(-1);
        assertThat(back.matches(saga)).isTrue();
        assertThat(back.matches(Saga.builder("order").step("a", OK, SagaStep.Compensation.none()).build()))
                .isFalse();
        assertThat(List.copyOf(back.toResult().steps().keySet())).containsExactly("a", "b");
    }
}
