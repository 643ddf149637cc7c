package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;

/**
 * Alignment as the kernel requires it on x86-64: stack accesses at a fixed offset are aligned to their size in
 * every mode; packet, map value and context accesses only with strict alignment (BPF_F_STRICT_ALIGNMENT), where a
 * variable offset of unknown alignment is refused too.
 */
class AlignmentTest {
    private static final VerifierOptions STRICT = VerifierOptions.defaults().withStrictAlignment(true);

    private static final String UNALIGNED_PACKET_READ = """
                    .program prog xdp
                    ldxw %r2, [%r1+0]
                    ldxw %r3, [%r1+4]
                    mov %r4, %r2
                    add %r4, 8
                    mov %r0, 2
                    jgt %r4, %r3, +1
                    ldxw %r0, [%r2+2]
                    exit""";

    private static final String UNALIGNED_MAP_VALUE_READ = """
                    .program prog xdp
                    .map arr array key=4 value=16 entries=1
                    stw [%r10-4], 0
                    mov %r2, %r10
                    add %r2, -4
                    lddw %r1, map:arr
                    call map_lookup_elem
                    ldxdw %r0, [%r0+4]
                    exit""";

    private static Program assemble(String text) {
        return Assembler.assembleProgram(text, "prog.s");
    }

    @Test
    void stackAccessesAreAlignedToTheirSizeInEveryMode() {
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(assemble("stdw [%r10-8], 0\nldxh %r0, [%r10-3]\nexit")));
        assertEquals("prog.s: function 'prog': insn 1 'ldxh %r0, [%r10-3]': misaligned stack access: 2 bytes at r10-3, not a multiple of 2",
                        error.getMessage());
        Verifier.verify(assemble("stdw [%r10-8], 0\nldxh %r0, [%r10-4]\nldxb %r1, [%r10-3]\nexit"));
    }

    @Test
    void packetAndMapValueAccessesMayBeUnalignedByDefault() {
        assertTrue(Verifier.verify(assemble(UNALIGNED_PACKET_READ)).isVerified());
        assertTrue(Verifier.verify(assemble(UNALIGNED_MAP_VALUE_READ)).isVerified());
    }

    @Test
    void strictAlignmentRefusesUnalignedPacketMapValueAndContextAccesses() {
        BpfError packet = assertThrows(BpfError.class, () -> Verifier.verify(assemble(UNALIGNED_PACKET_READ), STRICT));
        assertTrue(packet.getMessage().endsWith("misaligned pkt access through R2, 4 bytes at offset 2, not a multiple of 4 (strict alignment)"),
                        packet.getMessage());
        BpfError value = assertThrows(BpfError.class, () -> Verifier.verify(assemble(UNALIGNED_MAP_VALUE_READ), STRICT));
        assertTrue(value.getMessage().endsWith("misaligned map_value access through R0, 8 bytes at offset 4, not a multiple of 8 (strict alignment)"),
                        value.getMessage());
        assertTrue(Verifier.verify(assemble(UNALIGNED_MAP_VALUE_READ.replace("[%r0+4]", "[%r0+8]")), STRICT).isVerified());
    }

    @Test
    void strictAlignmentRefusesAVariableOffsetWhoseBitsAllowAMisalignedAddress() {
        String text = """
                        .program prog xdp
                        .map arr array key=4 value=32 entries=1
                        ldxw %r6, [%r1+0]
                        stw [%r10-4], 0
                        mov %r2, %r10
                        add %r2, -4
                        lddw %r1, map:arr
                        call map_lookup_elem
                        ldxb %r6, [%r0]
                        and %r6, 12
                        add %r0, %r6
                        ldxdw %r0, [%r0]
                        exit""";
        assertTrue(Verifier.verify(assemble(text)).isVerified());
        // r6 is 0, 4, 8 or 12: the pointer's variable part keeps those bits (the kernel's var_off), so 4 and 12 are possible.
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(assemble(text), STRICT));
        assertTrue(error.getMessage().endsWith("a variable offset is not known to be a multiple of 8 (strict alignment)"), error.getMessage());
        // r6 is 0 or 8, and r6 + 4 then 4 or 12: aligned for 4-byte reads, not for 8-byte ones.
        assertTrue(Verifier.verify(assemble(text.replace("and %r6, 12", "and %r6, 8")), STRICT).isVerified());
        String plusFour = text.replace("and %r6, 12", "and %r6, 8").replace("ldxdw %r0, [%r0]", "ldxw %r0, [%r0+4]");
        assertTrue(Verifier.verify(assemble(plusFour), STRICT).isVerified());
        assertThrows(BpfError.class, () -> Verifier.verify(assemble(plusFour.replace("ldxw %r0, [%r0+4]", "ldxdw %r0, [%r0+4]")), STRICT));
    }
}
