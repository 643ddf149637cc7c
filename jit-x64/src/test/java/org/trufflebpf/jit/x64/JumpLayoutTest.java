package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.Program;

/** Passes until the layout converges: jumps that reach take rel8, the others rel32, and all land right. */
class JumpLayoutTest {

    private static Program loop(int bodyLength) {
        StringBuilder text = new StringBuilder("mov %r0, 0\nmov %r2, 0\nloop:\n");
        for (int i = 0; i < bodyLength; i++) {
            text.append("add %r0, 1\n");
        }
        text.append("add %r2, 1\njlt %r2, 10, loop\nja end\nmov %r0, -1\nend:\nexit\n");
        return Assembler.assembleProgram(text.toString(), "loop.s");
    }

    private static boolean contains(byte[] code, int... pattern) {
        outer: for (int i = 0; i + pattern.length <= code.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if ((code[i + j] & 0xff) != pattern[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void shortLoopUsesRel8AndLongLoopRel32() {
        for (int body : new int[] {3, 60}) {
            Program program = loop(body);
            NativeImage image = BpfToX86.compile(program, JitOptions.UNCHECKED);
            int jlt = image.insnStart()[body + 3];
            int size = image.insnEnd()[body + 3] - jlt;
            // cmp r2, 10 (4 bytes) then jb: rel8 = 2 bytes, rel32 = 6 bytes.
            assertEquals(body < 20 ? 6 : 10, size, "jlt with a body of " + body);
            assertTrue(image.passes() >= 2 && image.passes() < 20);
            try (NativeProgram native_ = SharedRuntime.compile(program)) {
                assertEquals(10L * body, SharedRuntime.run(native_, MemorySegment.NULL));
            }
        }
    }

    @Test
    void loopJumpsTakeTheShortFormExactlyWithinTheKernelsMarginAndLayoutConverges() {
        // Bodies of 1..45 four-byte adds sweep the loop's back jump across the edge of rel8's range.
        for (int body = 1; body <= 45; body++) {
            NativeImage image = BpfToX86.compile(loop(body), JitOptions.UNCHECKED);
            int slot = body + 3;
            int end = image.insnEnd()[slot];
            int target = image.insnStart()[2];
            boolean shortForm = end - image.insnStart()[slot] == 6;
            int shortDisplacement = target - (shortForm ? end : end - 4);
            assertEquals(shortDisplacement >= -124 && shortDisplacement <= 123, shortForm, "body " + body + ": displacement " + shortDisplacement);
            assertTrue(image.passes() <= 4, "body " + body + " took " + image.passes() + " passes");
        }
    }

    @Test
    void jitDumpShowsEachBpfInstructionAboveItsCode() {
        Assumptions.assumeTrue(JitDisassembler.isAvailable(), "Capstone (libcapstone4) is not installed");
        NativeImage image = BpfToX86.compile(loop(1), JitOptions.UNCHECKED);
        String dump = JitDisassembler.format(image);
        assertTrue(dump.contains("  2: add %r0, 1\n"), dump);
        int heading = dump.indexOf("  2: add %r0, 1\n");
        assertTrue(dump.substring(heading).split("\n")[1].endsWith("add rax, 1"), dump);
        assertTrue(dump.contains("; prologue"));
        assertTrue(contains(image.code(), 0x0f, 0x1f, 0x44, 0x00, 0x00));
    }
}
