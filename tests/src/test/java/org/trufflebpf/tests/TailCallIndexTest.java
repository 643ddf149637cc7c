package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A tail call's index is the low 32 bits of r3, compared with the prog array's max_entries: an index with upper bits
 * set jumps to the slot of its low half, and an index at or past the end, or an empty slot, falls through to the
 * next instruction with r6-r9 as they were, on both engines, for a constant index (a direct tail call on the native
 * engine) and for one the verifier does not know (an indirect one). (The native engine zero-extends the index
 * before it compares and loads; a cross-module mutation run found no test that would notice that missing.)
 */
class TailCallIndexTest {
    private static final String SOURCE = """
                    .map jumps prog_array key=4 value=4 entries=3
                    .map index array key=4 value=8 entries=1
                    .program zero socket
                    mov %r0, 10
                    exit
                    .program one socket
                    mov %r0, 11
                    exit
                    .program entry socket
                    mov %r6, 6
                    mov %r7, 7
                    mov %r8, 8
                    mov %r9, 9
                    lddw %r3, INDEX
                    lddw %r2, map:jumps
                    call tail_call
                    mov %r0, 77
                    exit
                    .program entry_unknown socket
                    mov %r6, 6
                    mov %r7, 7
                    mov %r8, 8
                    mov %r9, 9
                    lddw %r3, map_value:index+0
                    ldxdw %r3, [%r3+0]
                    lddw %r2, map:jumps
                    call tail_call
                    mov %r0, %r6
                    add %r0, %r7
                    add %r0, %r8
                    add %r0, %r9
                    add %r0, 47
                    exit
                    """;

    @ParameterizedTest(name = "{0}: index {1} gives {2}")
    @CsvSource({
                    "interpreter, 0, 10", "native, 0, 10",
                    "interpreter, 1, 11", "native, 1, 11",
                    "interpreter, 0x100000000, 10", "native, 0x100000000, 10",
                    "interpreter, 0xffffffff00000001, 11", "native, 0xffffffff00000001, 11",
                    "interpreter, 2, 77", "native, 2, 77",
                    "interpreter, 3, 77", "native, 3, 77",
                    "interpreter, 0x7fffffff, 77", "native, 0x7fffffff, 77",
                    "interpreter, 0xffffffff, 77", "native, 0xffffffff, 77",
                    "interpreter, 0x500000003, 77", "native, 0x500000003, 77"})
    void theIndexIsItsLow32BitsAndAMissFallsThrough(String engine, String index, long expected) {
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).build()) {
            Value module = BpfRunner.evalAsm(context, SOURCE.replace("INDEX", index), "index.s");
            Value jumps = module.getMember("jumps");
            jumps.setArrayElement(0, module.getMember("zero"));
            jumps.setArrayElement(1, module.getMember("one"));
            // Slot 2 stays empty.
            assertEquals(expected, module.getMember("entry").execute(new byte[64]).asLong(), "a constant index (a direct tail call)");
            // The same index read from a map, unknown to the verifier: the indirect tail call through the prog array.
            module.getMember("index").setArrayElement(0, Long.parseUnsignedLong(index.replace("0x", ""), index.startsWith("0x") ? 16 : 10));
            assertEquals(expected, module.getMember("entry_unknown").execute(new byte[64]).asLong(), "an index the verifier does not know (an indirect tail call)");
        }
    }
}
