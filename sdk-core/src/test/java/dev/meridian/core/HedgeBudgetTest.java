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

    @Test
    void aBorrowedTokenTakesTheBucketToOneTokenOfDebtAtMost() {
        HedgeBudget budget = new HedgeBudget(0.25, 1);
        assertThat(budget.trySpend()).isTrue();
        budget.earn();
        assertThat(budget.tryBorrow()).as("0.25 left: may go to -0.75").isTrue();
        assertThat(budget.available()).isEqualTo(-0.75);
        assertThat(budget.tryBorrow()).as("in debt: no second loan").isFalse();
        assertThat(budget.trySpend()).isFalse();
    }

    @Test
    void laterCallsRepayTheDebtBeforeAnyHedgeIsSentAgain() {
        HedgeBudget budget = new HedgeBudget(0.25, 1);
        budget.trySpend();
        assertThat(budget.tryBorrow()).isTrue();
        for (int i = 0; i < 7; i++) {
            budget.earn();
            assertThat(budget.trySpend()).as("after %d calls", i + 1).isFalse();
        }
        budget.earn();
        assertThat(budget.trySpend()).as("after 8 calls: debt of 1 and one token earned").isTrue();
    }

    @Test
    void whenEveryCallWantsAHedgeAndBorrowsHedgesStayWithinBurstPlusShareOfCallsPlusOne() {
        HedgeBudget budget = new HedgeBudget(0.1, 10);
        int hedges = 0;
        int calls = 10_000;
        for (int i = 0; i < calls; i++) {
            budget.earn();
            if (budget.trySpend() || budget.tryBorrow()) {
                hedges++;
            }
        }
        assertThat(hedges).isBetween(calls / 10, 10 + calls / 10 + 1);
    }
}
