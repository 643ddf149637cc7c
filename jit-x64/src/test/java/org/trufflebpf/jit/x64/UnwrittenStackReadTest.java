package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.verifier.Verifier;

/**
 * The verifier lets a function read stack bytes no path wrote (as the kernel lets a privileged loader); such a
 * read gives 0 on both engines, also in unchecked native code: there the frame of a function holding such a read
 * is cleared on entry, so it never sees what an earlier function left at the same addresses.
 */
class UnwrittenStackReadTest {
    /** {@code dirty} fills its frame with ones; {@code reader}, entered at the same depth, reads its own unwritten r10-8. */
    private static final String PROGRAM = """
                    call local dirty
                    call local reader
                    exit
                    dirty:
                    mov %r1, -1
                    stxdw [%r10-8], %r1
                    stxdw [%r10-16], %r1
                    mov %r0, 0
                    exit
                    reader:
                    stdw [%r10-16], 0
                    ldxdw %r0, [%r10-8]
                    exit""";

    @Test
    void uncheckedCodeReadsZeroFromAnUnwrittenStackByteLeftDirtyByAnEarlierCall() {
        Program verified = Verifier.verify(Assembler.assembleProgram(PROGRAM, "prog.s"));
        assertTrue(verified.analysis().unwrittenStackReads().contains(9), "the verifier lists the read of r10-8 in reader");
        for (JitOptions options : new JitOptions[] {JitOptions.UNCHECKED, JitOptions.CHECKED}) {
            try (NativeProgram program = NativeEngine.compile(verified, options, MapSet.empty())) {
                assertEquals(0, SharedRuntime.run(program, MemorySegment.NULL), "checked: " + options.checked());
            }
        }
    }
}
