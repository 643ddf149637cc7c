package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * The golden and jit-dump tests skip where Capstone is missing; CI must not skip them silently. bin/test installs
 * libcapstone4, so under CI its absence is a failed install step.
 */
class CapstoneInstallTest {
    @Test
    void capstoneIsInstalledWhereCiRuns() {
        assumeTrue(System.getenv("CI") != null, "not running in CI");
        assertTrue(JitDisassembler.isAvailable(), "CI has no Capstone: bin/test should have installed libcapstone4");
    }
}
