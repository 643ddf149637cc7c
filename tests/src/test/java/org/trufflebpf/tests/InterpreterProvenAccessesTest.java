package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.verifier.Verifier;

/**
 * The Truffle interpreter, like the native engine, skips the bounds check of every access the verifier proved
 * (ProgramAnalysis.provenAccesses). Here the interpreter runs each verified case of VerifierMemorySafetyTest twice,
 * verified (proven accesses unchecked) and with {@code bpf.Verify=false} (every access checked), over packets of
 * every length from 0 to 24 bytes: a proof wrong by one byte makes the checked run stop with an out-of-bounds
 * error where the unchecked one reads the guard bytes after the packet, a divergence.
 */
class InterpreterProvenAccessesTest {
    /** The second engine of the comparison: the interpreter again, unverified, so every access is checked. */
    private static final Map<String, String> CHECKED_INTERPRETER = Map.of("bpf.Engine", "interpreter", "bpf.Verify", "false");

    static Stream<VerifierMemorySafetyTest.Case> verifiedCases() {
        return ProvenAccessesDifferentialTest.verifiedCases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verifiedCases")
    void interpreterSkippingProvenChecksAgreesWithTheFullyCheckedInterpreterAtEveryPacketLength(VerifierMemorySafetyTest.Case c) {
        assertFalse(Verifier.verify(Assembler.assembleProgram(c.text(), "prog.s")).analysis().provenAccesses().isEmpty(),
                        "the case proves some access, so the verified run skips a check");
        try (DifferentialRunner runner = new DifferentialRunner(Map.of(), CHECKED_INTERPRETER)) {
            for (int length = 0; length <= 24; length++) {
                byte[] packet = new byte[length];
                for (int i = 0; i < length; i++) {
                    packet[i] = (byte) (i * 37 + 1);
                }
                DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("prog.s", c.text(), null, packet));
                assertFalse(comparison.diverges(), comparison::report);
                assertEquals(null, comparison.interpreter().errorKind(), () -> "a verified program stopped at packet length " + packet.length + ": "
                                + comparison.interpreter().summary());
            }
        }
    }
}
