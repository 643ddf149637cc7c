package org.trufflebpf.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;

/**
 * Each instruction class encodes to the bytes RFC 9669 gives it, decodes back to the same instruction, and
 * prints as the text it was assembled from.
 */
class InstructionEncodingTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
                    # ALU64 and ALU with immediate and register sources
                    add %r1, 5                    | 0701000005000000
                    add32 %r1, %r2                | 0c21000000000000
                    sub %r9, -1                   | 17090000ffffffff
                    mul32 %r0, %r10               | 2ca0000000000000
                    div %r3, 7                    | 3703000007000000
                    sdiv %r1, 3                   | 3701010003000000
                    smod32 %r4, %r5               | 9c54010000000000
                    mod %r2, %r1                  | 9f12000000000000
                    or %r1, 16                    | 4701000010000000
                    and32 %r1, 255                | 54010000ff000000
                    lsh %r1, 63                   | 670100003f000000
                    rsh32 %r1, %r2                | 7c21000000000000
                    arsh %r1, 2                   | c701000002000000
                    xor %r6, %r7                  | af76000000000000
                    mov %r0, -2                   | b7000000feffffff
                    mov32 %r0, %r1                | bc10000000000000
                    neg %r3                       | 8703000000000000
                    neg32 %r3                     | 8403000000000000
                    # sign-extending moves carry the source width in the offset field
                    movsx864 %r1, %r2             | bf21080000000000
                    movsx1664 %r1, %r2            | bf21100000000000
                    movsx3264 %r1, %r2            | bf21200000000000
                    movsx832 %r1, %r2             | bc21080000000000
                    movsx1632 %r1, %r2            | bc21100000000000
                    # byte order: class ALU with the source bit as endianness, class ALU64 for bswap
                    le16 %r1                      | d401000010000000
                    le64 %r1                      | d401000040000000
                    be32 %r1                      | dc01000020000000
                    bswap16 %r1                   | d701000010000000
                    bswap64 %r1                   | d701000040000000
                    # loads and stores
                    ldxw %r0, [%r1+4]             | 6110040000000000
                    ldxdw %r0, [%r10-8]           | 79a0f8ff00000000
                    ldxb %r0, [%r1]               | 7110000000000000
                    ldxh %r2, [%r3+2]             | 6932020000000000
                    ldxsb %r0, [%r1-1]            | 9110ffff00000000
                    ldxsh %r0, [%r1+2]            | 8910020000000000
                    ldxsw %r0, [%r1]              | 8110000000000000
                    stb [%r10-1], 7               | 720affff07000000
                    sth [%r1+2], -1               | 6a010200ffffffff
                    stw [%r1], 1                  | 6201000001000000
                    stdw [%r10-16], 9             | 7a0af0ff09000000
                    stxb [%r1+1], %r2             | 7321010000000000
                    stxdw [%r10-8], %r6           | 7b6af8ff00000000
                    # atomics: the operation lives in imm, fetch is bit 0
                    lock add [%r1+8], %r2         | db21080000000000
                    lock add32 [%r1], %r2         | c321000000000000
                    lock fetch add [%r1], %r2     | db21000001000000
                    lock or [%r1], %r2            | db21000040000000
                    lock fetch and32 [%r1], %r2   | c321000051000000
                    lock fetch xor [%r1], %r2     | db210000a1000000
                    lock xchg [%r1], %r2          | db210000e1000000
                    lock cmpxchg32 [%r1], %r2     | c3210000f1000000
                    # legacy packet loads
                    ldabsh 12                     | 280000000c000000
                    ldindb %r2, 3                 | 5020000003000000
                    # jumps: offset counts instructions after the next one; ja32 keeps it in imm
                    ja +2                         | 0500020000000000
                    ja32 -1                       | 06000000ffffffff
                    jeq %r1, 5, +1                | 1501010005000000
                    jsgt32 %r1, %r2, +3           | 6e21030000000000
                    jset %r1, 1, -1               | 4501ffff01000000
                    jne32 %r0, -1, +0             | 56000000ffffffff
                    jle %r3, %r4, +7              | bd43070000000000
                    jslt %r1, 0, +1               | c501010000000000
                    # calls: helper by id, local by pc-relative imm with src 1, callx with the register in dst
                    call 12                       | 850000000c000000
                    call local +3                 | 8510000003000000
                    call %r2                      | 8d02000000000000
                    exit                          | 9500000000000000
                    """)
    void singleSlotInstructionsEncodeAsTheRfcSays(String text, String hex) {
        checkRoundTrip(text + "\nexit", hex + "9500000000000000");
    }

    @Test
    void lddwTakesTwoSlotsWithTheHighHalfInTheSecond() {
        checkRoundTrip("lddw %r1, 0x1122334455667788\nexit", "1801000088776655" + "0000000044332211" + "9500000000000000");
    }

    @Test
    void lddwMapReferencesUsePseudoSources() {
        String text = """
                        .map counts array key=4 value=8 entries=4
                        lddw %r1, map:counts
                        lddw %r2, map_value:counts+8
                        exit
                        """;
        Program program = Assembler.assembleProgram(text, "maps.s");
        byte[] bytes = InstructionDecoder.encode(program.code());
        assertEquals("1811000000000000" + "0000000000000000" + "1822000000000000" + "0000000008000000" + "9500000000000000",
                        HexFormat.of().formatHex(bytes));
        assertEquals("lddw %r2, map_value:counts+8", InstructionText.format(program.code().get(1), program::mapName));
    }


    @Test
    void lddwByMapIndexUsesSourcesFiveAndSixAndPrintsBack() {
        String text = """
                        .map counts array key=4 value=8 entries=1
                        .map other array key=4 value=8 entries=1
                        lddw %r1, map_idx:other
                        lddw %r2, map_idx_value:counts+4
                        exit
                        """;
        Program program = Assembler.assembleProgram(text, "maps.s");
        byte[] bytes = InstructionDecoder.encode(program.code());
        assertEquals("1851000001000000" + "0000000000000000" + "1862000000000000" + "0000000004000000" + "9500000000000000",
                        HexFormat.of().formatHex(bytes));
        assertEquals("lddw %r1, map_idx:other", InstructionText.format(program.code().get(0), program::mapName));
        assertEquals("lddw %r2, map_idx_value:counts+4", InstructionText.format(program.code().get(1), program::mapName));
    }
    @Test
    void callsByHelperNameUseTheLinuxIds() {
        Program program = Assembler.assembleProgram("call bpf_tail_call\ncall map_lookup_elem\nexit", "calls.s");
        assertEquals(12, program.code().get(0).imm());
        assertEquals(1, program.code().get(1).imm());
    }

    private static void checkRoundTrip(String text, String hex) {
        Program program = Assembler.assembleProgram(text, "case.s");
        byte[] bytes = InstructionDecoder.encode(program.code());
        assertEquals(hex, HexFormat.of().formatHex(bytes), text);
        List<Instruction> decoded = InstructionDecoder.decode(bytes, "case.bin");
        assertEquals(program.code(), decoded);
        String firstLine = text.lines().findFirst().orElseThrow();
        assertEquals(firstLine.replaceAll("\\s+", " "), InstructionText.format(decoded.get(0)));
    }

    @Test
    void aByteLengthNotAMultipleOfEightIsRejected() {
        BpfError error = assertThrows(BpfError.class, () -> InstructionDecoder.decode(new byte[12], "odd.bin"));
        assertEquals("odd.bin: program is 12 bytes, not a whole number of 8-byte instructions", error.getMessage());
    }

    @Test
    void aTruncatedLddwIsRejected() {
        byte[] bytes = HexFormat.of().parseHex("b7000000000000001801000001000000");
        BpfError error = assertThrows(BpfError.class, () -> InstructionDecoder.decode(bytes, "cut.bin"));
        assertEquals("cut.bin: insn 1 'lddw %r1, 0x1': lddw is truncated: its second slot is missing", error.getMessage());
    }

    @Test
    void aSecondLddwSlotWithFieldsSetIsRejected() {
        byte[] bytes = HexFormat.of().parseHex("1801000001000000" + "0100000000000000");
        BpfError error = assertThrows(BpfError.class, () -> InstructionDecoder.decode(bytes, "bad.bin"));
        assertEquals("bad.bin: insn 0 'lddw %r1, 0x1': the second slot of lddw must have opcode, registers and offset 0", error.getMessage());
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
                    unknown opcode          | ff00000000000000 | insn 0 '.insn 0x00000000000000ff': unknown opcode 0xff
                    register above r10      | b70b000000000000 | insn 0 'mov %r11, 0': invalid destination register r11
                    source above r10        | bfc0000000000000 | insn 0 'mov %r0, %r12': invalid source register r12
                    jmp32 exit              | 9600000000000000 | insn 0 '.insn 0x0000000000000096': unknown opcode 0x96
                    dw sign-extending load  | 9910000000000000 | insn 0 '.insn 0x0000000000001099': unknown opcode 0x99
                    atomic on a byte        | d321000000000000 | insn 0 '.insn 0x00000000000021d3': atomic operations are 32 or 64 bits wide
                    unknown atomic op       | db21000002000000 | insn 0 '.insn 0x00000002000021db': unknown atomic operation 0x2
                    byte swap width 8       | d401000008000000 | insn 0 'le8 %r1': byte swap width must be 16, 32 or 64, not 8
                    signed div offset 2     | 3701020003000000 | insn 0 'div %r1, 3': offset of div/mod must be 0 (unsigned) or 1 (signed)
                    kfunc call              | 8520000001000000 | insn 0 'call kfunc 1': kernel function calls are not supported
                    lddw of a BTF id        | 1831000001000000 | insn 0 'lddw %r1, ...': lddw of a BTF id (ksym) is not supported
                    """)
    void invalidEncodingsAreRejectedWithTheInstructionAndReason(String what, String hex, String expected) {
        byte[] bytes = HexFormat.of().parseHex(hex.length() == 16 && hex.startsWith("18") ? hex + "0000000000000000" : hex);
        BpfError error = assertThrows(BpfError.class, () -> InstructionDecoder.decode(bytes, "bad.bin"), what);
        assertEquals(BpfError.Kind.DECODE, error.kind());
        if (expected.contains("...")) {
            assertEquals(expected.substring(expected.indexOf("': ") + 3), error.reason(), what);
        } else {
            assertEquals("bad.bin: " + expected, error.getMessage(), what);
        }
    }

    @Test
    void encodeIsTheInverseOfDecodeForEveryField() {
        Instruction insn = new Instruction(0, 0x61, 3, 10, -32768, 0, 0);
        byte[] bytes = InstructionDecoder.encode(List.of(insn));
        assertArrayEquals(HexFormat.of().parseHex("61a3008000000000"), bytes);
        assertEquals(insn, InstructionDecoder.decode(bytes, "x").get(0));
    }
}
