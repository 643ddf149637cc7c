package org.trufflebpf.tests.jazzer;

import org.trufflebpf.model.BpfError;

/**
 * What every fuzz target asks of a refusal: one line that starts with the input's name. Anything else thrown
 * (or a refusal that breaks this) is a finding: bad input must never surface as an uncaught exception.
 */
final class CleanRefusals {
    private CleanRefusals() {
    }

    static void require(BpfError refusal, String fileName) {
        String message = refusal.getMessage();
        if (message == null || !message.startsWith(fileName + ": ") || message.contains("\n")) {
            throw new IllegalStateException("a refusal that is not one line naming " + fileName + ": " + message, refusal);
        }
    }
}
