package org.trufflebpf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** A runner with one of our engines compares it with the kernel; the engine left out never runs. */
class EngineSubsetsTest {
    private static final String XDP = ".program main xdp\n    mov %r0, 2\n    exit\n";
    private static final Map<String, String> OPTIONS = Map.of("bpf.InstructionLimit", "100000");

    private static void assumeKernel() {
        String unavailable = DifferentialRunner.probeKernel(Map.of());
        assumeTrue(unavailable == null, unavailable);
    }

    @Test
    void theNativeEngineAloneIsComparedWithTheKernel() {
        assumeKernel();
        try (DifferentialRunner runner = new DifferentialRunner(OPTIONS, Map.of(), Map.of(), Set.of(DifferentialRunner.NATIVE))) {
            DifferentialRunner.Comparison c = runner.compare(DiffCase.assembly("x.s", XDP, "main", new byte[64]));
            assertNull(c.interpreter(), "the interpreter takes no part");
            assertEquals(2L, c.nativeEngine().r0());
            assertEquals(2L, c.kernel().r0());
            assertEquals(DifferentialRunner.KernelResult.COMPARED, c.kernelResult());
            assertEquals(List.of(), c.differences());
            assertEquals(c.nativeEngine(), c.ours());
        }
    }

    @Test
    void theInterpreterAloneIsComparedWithTheKernel() {
        assumeKernel();
        try (DifferentialRunner runner = new DifferentialRunner(OPTIONS, Map.of(), Map.of(), Set.of(DifferentialRunner.INTERPRETER))) {
            DifferentialRunner.Comparison c = runner.compare(DiffCase.assembly("x.s", XDP, "main", new byte[64]));
            assertNull(c.nativeEngine(), "the native engine takes no part");
            assertEquals(2L, c.interpreter().r0());
            assertEquals(2L, c.kernel().r0());
            assertEquals(DifferentialRunner.KernelResult.COMPARED, c.kernelResult());
        }
    }

    @Test
    void aProgramTheKernelCannotRunIsComparedWithNothing() {
        try (DifferentialRunner runner = new DifferentialRunner(OPTIONS, Map.of(), Map.of(), Set.of(DifferentialRunner.NATIVE))) {
            DifferentialRunner.Comparison c = runner.compare(DiffCase.assembly("raw.s", ".program main raw\n    mov %r0, 7\n    exit\n", "main", new byte[8]));
            assertEquals(7L, c.ours().r0());
            assertNull(c.kernel());
            assertEquals(DifferentialRunner.KernelResult.NOT_RUN, c.kernelResult());
            assertEquals(List.of(), c.differences());
        }
    }

    @Test
    void ourEnginesAreTheInterpreterAndTheNativeEngine() {
        assertThrows(IllegalArgumentException.class, () -> new DifferentialRunner(OPTIONS, Map.of(), Map.of(), Set.of()));
        assertThrows(IllegalArgumentException.class, () -> new DifferentialRunner(OPTIONS, Map.of(), Map.of(), Set.of(DifferentialRunner.KERNEL)));
    }
}
