package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * Checked code keeps each check's rarely taken side (budget exhausted, cancel flag set, access outside the hot
 * region) after the function: on the hot path a check is a compare and a jcc that is not taken, and a stub called
 * from a slow path still reports the instruction whose check branched there.
 */
class SlowPathLayoutTest {
    /** Sums the first 8 bytes of the input in a loop: a poll and a budget charge per iteration, a checked load. */
    private static final String LOOP = """
                    mov %r0, 0
                    mov %r3, 0
                    loop:
                    mov %r4, %r1
                    add %r4, %r3
                    ldxb %r5, [%r4+0]
                    add %r0, %r5
                    add %r3, 1
                    jlt %r3, 8, loop
                    exit
                    """;

    private static Program loop() {
        return Assembler.assembleProgram(LOOP, "loop.s");
    }

    /** The targets of the rel32 jccs ({@code 0f 80+cc disp32}) in [from, to). */
    private static List<Integer> jccTargets(byte[] code, int from, int to) {
        List<Integer> targets = new ArrayList<>();
        for (int i = from; i + 6 <= to; i++) {
            if ((code[i] & 0xff) == 0x0f && (code[i + 1] & 0xf0) == 0x80) {
                int disp = (code[i + 2] & 0xff) | (code[i + 3] & 0xff) << 8 | (code[i + 4] & 0xff) << 16 | code[i + 5] << 24;
                targets.add(i + 6 + disp);
            }
        }
        return targets;
    }

    @Test
    void everySlowPathFollowsItsFunctionAndIsReachedFromItsOwnInstructionsCheck() {
        NativeImage image = BpfToX86.compile(loop(), JitOptions.CHECKED);
        int[] ranges = image.slowPaths();
        int lastInsnEnd = 0;
        for (int end : image.insnEnd()) {
            lastInsnEnd = Math.max(lastInsnEnd, end);
        }
        // The loop's start (poll, budget), the loop body's budget and load check, exit's budget at least.
        assertTrue(ranges.length / 3 >= 4, () -> ranges.length / 3 + " slow paths");
        for (int i = 0; i < ranges.length; i += 3) {
            int start = ranges[i];
            int slot = ranges[i + 2];
            assertTrue(start >= lastInsnEnd && ranges[i + 1] <= image.code().length, "slow path of slot " + slot + " at " + start + " lies after the function");
            assertEquals(slot, image.slotAt(start), "a stub called from the slow path reports its instruction");
            assertTrue(jccTargets(image.code(), image.insnStart()[slot], image.insnEnd()[slot]).contains(start),
                            "slot " + slot + "'s check branches to its slow path at " + start);
        }
    }

    @Test
    void checkedCodeRunsThroughItsHotPathsAndFailsAtTheRightInstructionThroughItsSlowPaths() {
        try (NativeProgram code = SharedRuntime.compile(loop()); Arena arena = Arena.ofConfined()) {
            MemorySegment input = arena.allocate(8);
            for (int i = 0; i < 8; i++) {
                input.set(ValueLayout.JAVA_BYTE, i, (byte) (i + 1));
            }
            assertEquals(36, SharedRuntime.run(code, input));
            // Four bytes: the fifth load is outside the input, refused by the check stub on the load's slow path.
            BpfError outside = assertThrows(BpfError.class, () -> SharedRuntime.run(code, input.asSlice(0, 4)));
            assertTrue(outside.getMessage().contains("insn 4 "), outside.getMessage());
            // 2 + 6 instructions fit in 10; the loop block's second charge of 6 does not, at its first instruction.
            try (RunState state = SharedRuntime.state(SharedRuntime.options(10, TailCallAbi.COUNTER_BY_VALUE), MapSet.empty())) {
                state.regions().add("memory", input.address(), input.byteSize(), true);
                BpfError budget = assertThrows(BpfError.class, () -> SharedRuntime.run(code, state, input.address(), 8));
                assertTrue(budget.getMessage().contains("insn 2 ") && budget.getMessage().contains("budget"), budget.getMessage());
            }
        }
    }
}
