package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * Scalar bounds are security claims: a stack access the verifier proves runs without a check on the native
 * engine. Each case computes a stack offset from two packet words the verifier cannot know (r4 = packet[0..8),
 * r5 = packet[8..16)) through one operation whose BPF meaning differs from naive signed arithmetic (unsigned
 * mod/div, mod and div by zero, 32-bit wrap and zero-extension, smod, arsh, neg, sign-extending moves), then
 * reads the 256-byte stack buffer at r10-256 + r4. Either the verifier rejects it, or both engines must agree
 * on every edge input and the checked interpreter must see no out-of-bounds access.
 */
class ProvenBoundsAdversarialTest {

    record Case(String behaviour, String ops, boolean mustVerify) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    private static final long[] EDGES = {0, 1, 2, 7, 63, 64, 255, 256, -1, -2, -8, -64, -256, 1L << 31, (1L << 31) - 1, (1L << 32) - 1, 1L << 32,
                    (1L << 32) + 5, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, 0xffff_ffff_8000_0000L, 0x8000_0000_0000_00ffL};

    static Stream<Case> cases() {
        return Stream.of(
            new Case("unsigned mod by a constant: the kernel keeps no range for mod, nor does ours", "mod %r4, 256", false),
            new Case("32-bit mod by a constant: no range, as in the kernel", "mod32 %r4, 256", false),
            new Case("32-bit mod by a negative immediate (a huge unsigned divisor)", "mod32 %r4, -8", false),
            new Case("64-bit mod by a negative immediate", "mod %r4, -8", false),
            new Case("mod by a register that may be 0 leaves the dividend", "and %r5, 255\nmod %r4, %r5", false),
            new Case("mod by a constant 0 register leaves the dividend", "mov %r5, 0\nmod %r4, %r5", false),
            new Case("32-bit mod by a register that may be 0", "and %r5, 255\nmod32 %r4, %r5", false),
            new Case("signed mod keeps the dividend's sign", "smod %r4, 256", false),
            new Case("signed mod then add", "smod %r4, 128\nadd %r4, 127", false),
            new Case("32-bit signed mod", "smod32 %r4, 256", false),
            new Case("unsigned div of a negative dividend", "div %r4, 1\nand %r4, 255", true),
            new Case("div by a register that may be 0 gives 0", "and %r5, 255\ndiv %r4, %r5", false),
            new Case("div after rsh: no range for div, as in the kernel", "rsh %r4, 54\ndiv %r4, 4", false),
            new Case("32-bit div after 32-bit rsh: no range, as in the kernel", "rsh32 %r4, 22\ndiv32 %r4, 4", false),
            new Case("signed div", "rsh %r4, 56\nsdiv %r4, -1", false),
            new Case("and with a constant", "and %r4, 255", true),
            new Case("32-bit and with a negative immediate", "and32 %r4, -256", false),
            new Case("rsh by a constant", "rsh %r4, 56", true),
            new Case("rsh by an unknown amount: no range, as in the kernel", "and %r4, 255\nrsh %r4, %r5", false),
            new Case("arsh then offset", "arsh %r4, 57\nadd %r4, 64", true),
            new Case("32-bit arsh", "arsh32 %r4, 24", false),
            new Case("neg of a bounded value", "and %r4, 255\nneg %r4\nadd %r4, 255", true),
            new Case("32-bit neg", "and %r4, 255\nneg32 %r4", false),
            new Case("sign-extending move of a byte", "movsx864 %r4, %r4\nadd %r4, 128", true),
            new Case("32-bit sign-extending move of a byte", "movsx832 %r4, %r4", false),
            new Case("32-bit move zero-extends", "mov32 %r4, %r4\nrsh %r4, 24", true),
            new Case("32-bit sub wraps", "and %r4, 255\nsub32 %r4, 1", false),
            new Case("32-bit lsh truncates", "lsh32 %r4, 24\nrsh32 %r4, 24", true),
            new Case("32-bit add wraps", "and %r4, 255\nadd32 %r4, -1", false),
            new Case("mul of bounded values", "and %r4, 15\nand %r5, 15\nmul %r4, %r5", true),
            new Case("32-bit mul wraps", "mul32 %r4, 256\nrsh32 %r4, 24", true),
            new Case("byte swap to 16 bits", "be16 %r4\nrsh %r4, 8", true),
            new Case("or of bounded values", "and %r4, 127\nand %r5, 128\nor %r4, %r5", true),
            new Case("xor of bounded values", "and %r4, 255\nand %r5, 255\nxor %r4, %r5", true));
    }

    private static String program(Case c) {
        StringBuilder text = new StringBuilder("""
                        .program prog xdp
                        ldxw %r2, [%r1+4]
                        ldxw %r1, [%r1+0]
                        mov %r0, 0
                        mov %r3, %r1
                        add %r3, 16
                        jgt %r3, %r2, out
                        ldxdw %r4, [%r1+0]
                        ldxdw %r5, [%r1+8]
                        """);
        for (int offset = 8; offset <= 256; offset += 8) {
            text.append("stdw [%r10-").append(offset).append("], ").append(offset).append('\n');
        }
        text.append(c.ops()).append('\n');
        text.append("""
                        mov %r6, %r10
                        add %r6, -256
                        add %r6, %r4
                        ldxb %r0, [%r6]
                        out:
                        exit
                        """);
        return text.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aProvenStackOffsetStaysInTheFrameForEveryEdgeInput(Case c) {
        String text = program(c);
        boolean verified;
        try {
            assertFalse(Verifier.verify(Assembler.assembleProgram(text, "prog.s")).analysis().provenAccesses().isEmpty(),
                            "a verified case proves its stack read, so the native code runs it unchecked");
            verified = true;
        } catch (BpfError rejected) {
            verified = false;
        }
        if (c.mustVerify()) {
            assertTrue(verified, "the bound is exact enough to prove the access, so the case exercises an unchecked access");
        }
        if (!verified) {
            return;
        }
        try (DifferentialRunner runner = new DifferentialRunner(Map.of())) {
            for (long dividend : EDGES) {
                for (long other : EDGES) {
                    byte[] packet = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(dividend).putLong(other).array();
                    DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("prog.s", text, null, packet));
                    assertFalse(comparison.diverges(), comparison::report);
                    assertEquals(null, comparison.interpreter().errorKind(),
                                    () -> "verified, yet r4=" + dividend + ", r5=" + other + " stopped the checked interpreter: " + comparison.interpreter().summary());
                }
            }
        }
    }
}
