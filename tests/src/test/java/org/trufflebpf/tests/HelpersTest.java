package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/** Helpers called from programs, through the Polyglot API: maps, trace_printk, clock, random, ring buffer. */
class HelpersTest {

    @Test
    void mapHelpersFollowKernelSemantics() {
        String source = """
                        .map h hash key=4 value=8 entries=2
                        mov %r6, 0
                        stw [%r10-4], 7
                        stdw [%r10-16], 70
                        lddw %r1, map:h
                        mov %r2, %r10
                        add %r2, -4
                        mov %r3, %r10
                        add %r3, -16
                        mov %r4, 1
                        call map_update_elem
                        jne %r0, 0, fail
                        lddw %r1, map:h
                        mov %r2, %r10
                        add %r2, -4
                        mov %r3, %r10
                        add %r3, -16
                        mov %r4, 1
                        call map_update_elem
                        mov %r7, %r0
                        lddw %r1, map:h
                        mov %r2, %r10
                        add %r2, -4
                        call map_lookup_elem
                        jeq %r0, 0, fail
                        ldxdw %r1, [%r0]
                        add %r1, 1
                        stxdw [%r0], %r1
                        mov %r0, %r7
                        exit
                        fail:
                        mov %r0, -1
                        exit
                        """;
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value module = BpfRunner.evalAsm(context, source, "maphelpers.s");
            assertEquals(-17, module.execute().asLong(), "a second BPF_NOEXIST update answers -EEXIST");
            Value h = module.getMember("h");
            assertEquals(71, h.getHashValue(7).asLong(), "the value was changed in place through the lookup pointer");
            h.putHashEntry(8, 80);
            assertEquals(2, h.getHashSize());
            h.removeHashEntry(8);
            assertEquals(1, h.getHashSize());
        }
    }

    @Test
    void tracePrintkWritesToTheContextOutput() {
        String source = """
                        lddw %r1, 0x0a64253d78
                        stxdw [%r10-8], %r1
                        mov %r1, %r10
                        add %r1, -8
                        mov %r2, 6
                        mov %r3, 42
                        call trace_printk
                        exit
                        """;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Context context = BpfRunner.contextBuilder().out(out).build()) {
            long written = BpfRunner.evalAsm(context, source, "printk.s").execute().asLong();
            assertEquals("x=42\n", out.toString(StandardCharsets.UTF_8));
            assertEquals(5, written);
        }
    }

    private static final String RANDOM_AND_TIME = """
                    call get_prandom_u32
                    mov %r6, %r0
                    call ktime_get_ns
                    mov %r7, %r0
                    call ktime_get_ns
                    sub %r0, %r7
                    jle %r0, 0, bad
                    mov %r0, %r6
                    exit
                    bad:
                    mov %r0, -1
                    exit
                    """;

    private static long randomWithSeed(long seed) {
        try (Context context = BpfRunner.contextBuilder().option("bpf.Seed", Long.toString(seed)).build()) {
            return BpfRunner.evalAsm(context, RANDOM_AND_TIME, "random.s").execute().asLong();
        }
    }

    @Test
    void randomAndTimeAreDeterministicBySeed() {
        assertEquals(randomWithSeed(1), randomWithSeed(1));
        assertNotEquals(randomWithSeed(1), randomWithSeed(2));
        assertTrue(randomWithSeed(3) >= 0 && randomWithSeed(3) <= 0xffffffffL);
    }

    @Test
    void ringBufferRecordsReachTheHost() {
        String source = """
                        .map events ringbuf key=0 value=0 entries=4096
                        lddw %r1, map:events
                        mov %r2, 8
                        mov %r3, 0
                        call ringbuf_reserve
                        jeq %r0, 0, out
                        stdw [%r0], 0x1234
                        mov %r1, %r0
                        mov %r2, 0
                        call ringbuf_submit
                        stdw [%r10-8], 0x55
                        lddw %r1, map:events
                        mov %r2, %r10
                        add %r2, -8
                        mov %r3, 4
                        mov %r4, 0
                        call ringbuf_output
                        out:
                        exit
                        """;
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value module = BpfRunner.evalAsm(context, source, "ring.s");
            assertEquals(0, module.execute().asLong());
            Value records = module.getMember("events").invokeMember("consume");
            assertEquals(2, records.getArraySize());
            assertEquals(0x1234, records.getArrayElement(0).readBufferLong(ByteOrder.LITTLE_ENDIAN, 0));
            assertEquals(4, records.getArrayElement(1).getBufferSize());
            assertEquals(0x55, records.getArrayElement(1).readBufferInt(ByteOrder.LITTLE_ENDIAN, 0));
            assertEquals(0, module.getMember("events").invokeMember("consume").getArraySize(), "records are consumed once");
        }
    }

    @Test
    void unknownHelperIsRejectedAtLoadTime() {
        try (Context context = BpfRunner.contextBuilder().build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, "call 77\nexit\n", "unknown.s"));
            assertTrue(e.isSyntaxError(), "a rejected program is a parse error to embedders");
            assertTrue(e.getMessage().contains("helper 77") && e.getMessage().contains("insn 0"), e.getMessage());
        }
    }

    @Test
    void callxToAConstantUnknownHelperIsRejectedByTheVerifier() {
        try (Context context = BpfRunner.contextBuilder().build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, "mov %r0, 0\nmov %r3, 500\ncall %r3\nexit\n", "callx.s"));
            assertTrue(e.getMessage().contains("insn 2") && e.getMessage().contains("unknown helper 500"), e.getMessage());
        }
    }

    /** Without the verifier, the interpreter still refuses the call when it happens. */
    @Test
    void callxToAnUnknownHelperStopsTheRunAtTheCall() {
        try (Context context = BpfRunner.contextBuilder().option("bpf.Verify", "false").build()) {
            Value module = BpfRunner.evalAsm(context, "mov %r0, 0\nmov %r3, 500\ncall %r3\nexit\n", "callx.s");
            PolyglotException e = assertThrows(PolyglotException.class, module::execute);
            assertTrue(e.isGuestException() && !e.isSyntaxError());
            assertTrue(e.getMessage().contains("insn 2") && e.getMessage().contains("unknown helper 500"), e.getMessage());
        }
    }

    @Test
    void helperPointerArgumentsAreBoundsChecked() {
        // r1 is the input, NULL when there is none: the key is a pointer to the verifier and bad only at run time.
        String source = ".map a array key=4 value=8 entries=1\nmov %r2, %r1\nadd %r2, 16\nlddw %r1, map:a\ncall map_lookup_elem\nexit\n";
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value module = BpfRunner.evalAsm(context, source, "badkey.s");
            PolyglotException e = assertThrows(PolyglotException.class, module::execute);
            assertTrue(e.getMessage().contains("map_lookup_elem key") && e.getMessage().contains("insn 4"), e.getMessage());
        }
    }

    @Test
    void globalDataIsInitialisedAndReadOnlyDataCannotBeWritten() {
        String source = """
                        .global .data hex=2a000000
                        .global .rodata readonly hex=07000000
                        lddw %r1, map_value:.data+0
                        ldxw %r0, [%r1]
                        lddw %r2, map_value:.rodata+0
                        ldxw %r3, [%r2]
                        add %r0, %r3
                        stw [%r1], 5
                        jne %r0, 99, done
                        stw [%r2], 1
                        done:
                        exit
                        """;
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value module = BpfRunner.evalAsm(context, source, "globals.s");
            assertEquals(49, module.execute().asLong());
            assertEquals(5, module.getMember(".data").getArrayElement(0).asLong(), "the program's store is visible to the host");
            module.getMember(".data").setArrayElement(0, 92);
            PolyglotException e = assertThrows(PolyglotException.class, module::execute, "99: the branch stores into .rodata");
            assertTrue(e.getMessage().contains("insn 9") && e.getMessage().contains("read-only"), e.getMessage());
        }
    }

    @Test
    void arrayLookupsAnswerInRangeKeysOnlyAndPerCpuArraysTheRunsCpu() {
        String source = """
                        .map a array key=4 value=8 entries=4
                        .map p percpu_array key=4 value=8 entries=1
                        stxw [%r10-4], %r1
                        lddw %r1, map:a
                        mov %r2, %r10
                        add %r2, -4
                        call map_lookup_elem
                        jeq %r0, 0, missing
                        stdw [%r0], 7
                        stw [%r10-8], 0
                        lddw %r1, map:p
                        mov %r2, %r10
                        add %r2, -8
                        call map_lookup_elem
                        jeq %r0, 0, missing
                        stdw [%r0], 9
                        mov %r0, 1
                        exit
                        missing:
                        mov %r0, 0
                        exit
                        """;
        try (Context context = BpfRunner.contextBuilder().option("bpf.Cpus", "2").option("bpf.Cpu", "1").build()) {
            Value module = BpfRunner.evalAsm(context, source, "lookups.s");
            for (int round = 0; round < 3; round++) {
                assertEquals(1, module.execute(3).asLong(), "key 3 is in range");
                assertEquals(0, module.execute(4).asLong(), "key 4 is past max_entries");
            }
            assertEquals(7, module.getMember("a").getArrayElement(3).asLong());
            Value perCpu = module.getMember("p").getArrayElement(0);
            assertEquals(16, perCpu.getBufferSize(), "two CPUs' values");
            assertEquals(0, perCpu.readBufferLong(ByteOrder.LITTLE_ENDIAN, 0));
            assertEquals(9, perCpu.readBufferLong(ByteOrder.LITTLE_ENDIAN, 8), "the run is on CPU 1");
        }
    }
}
