package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.Outcome;

/**
 * The runner sees every part of an outcome, on both engines: r0, input memory, maps, printed output, instruction
 * count; and where the kernel runs packet programs, the kernel's verdict, r0, packet and maps beside them.
 */
class DifferentialRunnerTest {
    private static final String PROGRAM = """
                    .map counts array key=4 value=8 entries=2
                    .program main raw
                        mov %r6, %r1
                        stb [%r6+1], 0x5a
                        stw [%r10-4], 1
                        lddw %r1, map:counts
                        mov %r2, %r10
                        add %r2, -4
                        call map_lookup_elem
                        jeq %r0, 0, done
                        stdw [%r0+0], 42
                    done:
                        lddw %r1, 0x000a7825206425
                        stxdw [%r10-16], %r1
                        mov %r1, %r10
                        add %r1, -16
                        mov %r2, 8
                        mov %r3, 7
                        mov %r4, 255
                        call trace_printk
                        mov %r0, 3
                        exit
                    """;

    /** The input bytes come back only into a writable buffer; a caller's byte[] stays as it was. */
    @Test
    void aBufferReceivesTheFinalBytesAndAByteArrayStaysUnchanged() {
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value program = BpfRunner.evalAsm(context, "stb [%r1+0], 9\nmov %r0, 0\nexit\n", "write.s");
            byte[] array = {1, 2};
            program.execute((Object) array);
            assertArrayEquals(new byte[] {1, 2}, array);
            ByteBuffer buffer = ByteBuffer.wrap(new byte[] {1, 2});
            program.execute(buffer);
            assertArrayEquals(new byte[] {9, 2}, buffer.array());
        }
    }

    /** An XDP program that counts in a map, writes the packet and returns a value above 32 bits. */
    private static final String PACKET_PROGRAM = """
                    .map counts array key=4 value=8 entries=2
                    .program main xdp
                        ldxw %r6, [%r1+0]
                        ldxw %r7, [%r1+4]
                        mov %r2, %r6
                        add %r2, 16
                        jgt %r2, %r7, done
                        stb [%r6+1], 0x5a
                        stw [%r10-4], 1
                        lddw %r1, map:counts
                        mov %r2, %r10
                        add %r2, -4
                        call map_lookup_elem
                        jeq %r0, 0, done
                        stdw [%r0+0], 42
                    done:
                        lddw %r0, 0x100000002
                        exit
                    """;

    @Test
    void aPacketProgramIsComparedWithTheKernelToo() {
        KernelEngineTest.assumeKernel();
        try (DifferentialRunner runner = new DifferentialRunner(Map.of())) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("packet.s", PACKET_PROGRAM, "main", new byte[20]));
            assertFalse(comparison.diverges(), comparison.report());
            assertEquals(DifferentialRunner.KernelResult.COMPARED, comparison.kernelResult(), comparison.report());
            // BPF_PROG_TEST_RUN's retval is 32 bits: the kernel's r0 is the low half of ours.
            assertEquals(0x1_0000_0002L, comparison.interpreter().r0());
            assertEquals(2L, comparison.kernel().r0());
            assertEquals(0x5a, comparison.kernel().memory()[1]);
            assertEquals(List.of("0", "42"), comparison.kernel().maps().get("counts"));
        }
    }

    @Test
    void aDifferenceOfTheKernelIsADivergence() {
        KernelEngineTest.assumeKernel();
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs to pin the kernel's run to another one");
        // Our engines answer bpf_get_smp_processor_id with bpf.Cpu, the kernel from the CPU it pins its run to.
        String program = ".program main xdp\n    call get_smp_processor_id\n    exit\n";
        try (DifferentialRunner runner = new DifferentialRunner(Map.of("bpf.Cpus", "2"), Map.of(), Map.of("bpf.Cpu", "1"))) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("cpu.s", program, "main", new byte[20]));
            assertEquals(List.of("kernel r0: 0 (0x0) vs 1 (0x1)"), comparison.differences(), comparison.report());
        }
    }

    @Test
    void aDifferenceTheKernelHasByDesignIsMaskedWithItsReason() {
        KernelEngineTest.assumeKernel();
        String program = ".program main xdp\n    call ktime_get_ns\n    exit\n";
        try (DifferentialRunner runner = new DifferentialRunner(Map.of())) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("clock.s", program, "main", new byte[20]));
            assertFalse(comparison.diverges(), comparison.report());
            assertEquals(DifferentialRunner.KernelResult.MASKED, comparison.kernelResult(), comparison.report());
            assertTrue(comparison.kernelNote().contains("bpf_ktime_get_ns"), comparison.kernelNote());
        }
    }

    @Test
    void aProgramOnlyTheKernelRejectsIsCountedApartAndIsNoDivergence() {
        KernelEngineTest.assumeKernel();
        // Unverified on our side, so that the kernel's verdict is the only one whatever ours would say.
        try (DifferentialRunner runner = new DifferentialRunner(Map.of("bpf.Verify", "false"))) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("nullcheck.s", KernelEngineTest.NULL_DEREFERENCE, "prog", new byte[20]));
            assertFalse(comparison.diverges(), comparison.report());
            assertEquals(DifferentialRunner.KernelResult.ONLY_KERNEL_REJECTS, comparison.kernelResult(), comparison.report());
            assertTrue(comparison.kernelNote().contains("R0 invalid mem access 'map_value_or_null'"), comparison.kernelNote());
        }
    }

    @Test
    void withTheKernelEngineDisabledTheKernelIsNotRunAndSaysWhy() {
        try (DifferentialRunner runner = new DifferentialRunner(Map.of("bpf.KernelEngine", "disabled"))) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("packet.s", PACKET_PROGRAM, "main", new byte[20]));
            assertFalse(comparison.diverges(), comparison.report());
            assertEquals(DifferentialRunner.KernelResult.NOT_RUN, comparison.kernelResult());
            assertTrue(comparison.kernelNote().contains("disabled"), comparison.kernelNote());
            assertNull(comparison.kernel());
        }
    }

    @Test
    void everyPartOfTheOutcomeIsCapturedAlike() {
        try (DifferentialRunner runner = new DifferentialRunner(Map.of())) {
            DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly("parts.s", PROGRAM, "main", new byte[] {1, 2, 3}));
            assertFalse(comparison.diverges(), comparison.report());
            for (Outcome outcome : List.of(comparison.interpreter(), comparison.nativeEngine())) {
                assertEquals(3L, outcome.r0());
                assertArrayEquals(new byte[] {1, 0x5a, 3}, outcome.memory());
                assertEquals(List.of("0", "42"), outcome.maps().get("counts"));
                assertEquals("7 ff\n", outcome.output());
                // 19 instructions (each lddw once) plus the helpers' costs: lookup of a 4-byte key 1 + 1, printk of 8 bytes 1 + 1.
                assertEquals(19 + 2 + 2, outcome.executed(), "instructions on the path and the helpers' charges");
            }
        }
    }
}
