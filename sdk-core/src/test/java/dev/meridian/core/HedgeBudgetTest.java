package dev.meridian.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hedge budget's token bucket: pure arithmetic, no time. */
class HedgeBudgetTest {

    @Test
    void startsFullAndRefusesOnceTheBurstIsSpent() {
        HedgeBudget budget = new HedgeBudget(0.1, 3);
        assertThat(budget.trySpend()).isTrue();
        assertThat(budget.trySpend()).isTrue();
        assertThat(budget.trySpend()).isTrue();
        assertThat(budget.trySpend()).as("burst of 3 spent").isFalse();
        assertThat(budget.available()).isZero();
    }

    @Test
    void everyTenthCallEarnsAHedgeAtATenPercentShare() {
        HedgeBudget budget = new HedgeBudget(0.1, 1);
        budget.trySpend();
        for (int i = 0; i < 9; i++) {
            budget.earn();
            assertThat(budget.trySpend()).as("after %d calls", i + 1).isFalse();
        }
        budget.earn();
        assertThat(budget.trySpend()).as("after 10 calls").isTrue();
    }

    @Test
    void whenEveryCallWantsAHedgeHedgesStayWithinBurstPlusShareOfCalls() {
        HedgeBudget budget = new HedgeBudget(0.1, 10);
        int hedges = 0;
        int calls = 10_000;
        for (int i = 0; i < calls; i++) {
            budget.earn();
            if (budget.trySpend()) {
                hedges++;
            }
        }
        assertThat(hedges).isBetween(calls / 10, 10 + calls / 10);
    }

    @Test
    void aQuietPeriodSavesNoMoreThanTheBurst() {
        HedgeBudget budget = new HedgeBudget(0.5, 4);
        for (int i = 0; i < 1_000; i++) {
            budget.earn();
        }
        int hedges = 0;
        while (budget.trySpend()) {
            hedges++;
        }
        assertThat(hedges).isEqualTo(4);
    }
}
