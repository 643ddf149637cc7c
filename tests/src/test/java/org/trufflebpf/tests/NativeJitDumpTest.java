package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.jit.x64.JitDisassembler;
import org.trufflebpf.jit.x64.NativeEngineService;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.verifier.Verifier;

/** What {@code bpf jit-dump} prints for a verified program with a map: the kernel's layout under each instruction. */
class NativeJitDumpTest {
    @Test
    void verifiedProgramShowsThePrologueAndEachInstructionsCode() {
        Assumptions.assumeTrue(JitDisassembler.isAvailable(), "Capstone (libcapstone4) is not installed");
        BpfObject object = Assembler.assemble(".map counter array key=4 value=8 entries=1\n.program count socket\n"
                        + "lddw %r1, map_value:counter\nldxdw %r2, [%r1]\nadd %r2, 1\nstxdw [%r1], %r2\nmov %r0, 0\nexit\n", "count.s");
        Program program = Verifier.verify(object.programs().get(0));
        MapSet maps = MapSet.create(object.maps(), 1, "count.s");
        try {
            String dump = NativeEngineService.jitDump(program, maps);
            assertTrue(dump.contains("nop dword ptr [rax + rax]") && dump.contains("push rbp") && dump.contains("mov rbp, rsp"), dump);
            assertTrue(dump.contains("  2: ldxdw %r2, [%r1]\n"), dump);
            assertTrue(dump.contains("mov rsi, qword ptr [rdi]"), dump);
            assertTrue(dump.contains("leave") && dump.contains("ret"), dump);
        } finally {
            maps.close();
        }
    }
}
