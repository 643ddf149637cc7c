package org.trufflebpf.runtime;

import java.io.Serial;

/** A helper call the run's remaining budget cannot pay for; engines report it as a BUDGET error at the call. */
public final class HelperBudgetExhausted extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    public HelperBudgetExhausted(String budgetMessage) {
        super(budgetMessage, null, false, false);
    }
}
