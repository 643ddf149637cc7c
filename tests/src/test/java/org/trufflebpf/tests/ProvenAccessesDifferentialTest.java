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
import org.trufflebpf.model.BpfError;
import org.trufflebpf.verifier.Verifier;

/**
 * The native engine emits no bounds check for the accesses the verifier proved (ProgramAnalysis.provenAccesses),
 * while the interpreter still checks every access. So a proof that is wrong by even one byte shows as a
 * divergence: the interpreter stops with an out-of-bounds error where native code reads the guard bytes
 * after the packet. Every case of VerifierMemorySafetyTest that the verifier accepts runs here over packets of
 * every length from 0 to 24 bytes, around each proven range's edge.
 */
class ProvenAccessesDifferentialTest {

    /**
     * The cases the verifier accepts now, chosen by running it rather than by the expected verdicts: a verifier
     * that wrongly accepts a boundary case (one byte past a proven range) gets that case run here too.
     */
    static Stream<VerifierMemorySafetyTest.Case> verifiedCases() {
        return VerifierMemorySafetyTest.allCases().filter(c -> {
            try {
                Verifier.verify(Assembler.assembleProgram(c.text(), "prog.s"));
                return true;
            } catch (BpfError rejected) {
                return false;
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verifiedCases")
    void nativeCodeWithoutChecksForProvenAccessesAgreesWithTheCheckedInterpreterAtEveryPacketLength(VerifierMemorySafetyTest.Case c) {
        assertFalse(Verifier.verify(Assembler.assembleProgram(c.text(), "prog.s")).analysis().provenAccesses().isEmpty(),
                        "the case proves some access, so the native code skips a check");
        try (DifferentialRunner runner = new DifferentialRunner(Map.of())) {
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
