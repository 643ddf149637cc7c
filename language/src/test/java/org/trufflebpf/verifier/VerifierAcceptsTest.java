package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfFunction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;
import org.trufflebpf.model.TailCallSite;

/** Valid programs pass, and the analysis both engines read says what they hold. */
class VerifierAcceptsTest {
    /** A loader without CAP_PERFMON: the kernel then refuses reads of stack bytes no path wrote. */
    private static final VerifierOptions UNPRIVILEGED = VerifierOptions.defaults().withPrivileged(false);

    static Program assemble(String text) {
        return Assembler.assembleProgram(text, "prog.s");
    }

    static ProgramAnalysis analyse(String text) {
        Program verified = Verifier.verify(assemble(text));
        assertTrue(verified.isVerified());
        return verified.analysis();
    }

    static void assertFunction(BpfFunction f, String name, int start, int end, int stackDepth) {
        assertEquals(name, f.name(), "name");
        assertEquals(start, f.start(), name + " start");
        assertEquals(end, f.end(), name + " end");
        assertEquals(stackDepth, f.stackDepth(), name + " stack depth");
        assertEquals(end - start, f.instructions().stream().mapToInt(i -> i.slots()).sum(), name + " slots");
    }

    @Test
    void functionsStartAtSlotZeroAndAtEveryCallTarget() {
        ProgramAnalysis a = analyse("""
                        mov %r1, 1
                        call local add_one
                        call local +4
                        exit
                        add_one:
                        mov %r0, %r1
                        add %r0, 1
                        exit
                        mov %r0, 0
                        exit""");
        assertEquals(3, a.functions().size());
        assertFunction(a.functions().get(0), "prog", 0, 4, 0);
        assertFunction(a.functions().get(1), "add_one", 4, 7, 0);
        assertFunction(a.functions().get(2), "func@7", 7, 9, 0);
        assertEquals(List.of(1, 2), a.entry().callees());
        assertEquals(List.of(), a.functions().get(1).callees());
        assertSame(a.functions().get(2), a.functionAt(8));
    }

    @Test
    void functionAddressTakenByLddwStartsAFunctionWithoutACallEdge() {
        ProgramAnalysis a = analyse("""
                        lddw %r2, func:+3
                        mov %r0, 0
                        exit
                        mov %r0, 1
                        exit""");
        assertEquals(2, a.functions().size());
        assertFunction(a.functions().get(0), "prog", 0, 4, 0);
        assertFunction(a.functions().get(1), "func@4", 4, 6, 0);
        assertEquals(List.of(), a.entry().callees());
    }

    @Test
    void stackDepthCountsAccessesThroughRegistersHoldingR10PlusConstant() {
        ProgramAnalysis a = analyse("""
                        mov %r2, %r10
                        add %r2, -24
                        stdw [%r2], 0
                        call local sub
                        mov %r0, 0
                        exit
                        sub:
                        stw [%r10-4], 1
                        mov %r0, 0
                        exit""");
        assertFunction(a.functions().get(0), "prog", 0, 6, 24);
        assertFunction(a.functions().get(1), "sub", 6, 9, 4);
        assertEquals(8, a.functions().get(1).roundedStackDepth());
        assertEquals(32 + 32, a.maxStackDepth());
    }

    @Test
    void maxStackDepthIsTheDeepestChainWithFramesRoundedUpTo32() {
        ProgramAnalysis a = analyse("""
                        stb [%r10-100], 1
                        call local small
                        call local big
                        mov %r0, 0
                        exit
                        small:
                        stb [%r10-1], 1
                        mov %r0, 0
                        exit
                        big:
                        stdw [%r10-40], 0
                        call local small
                        mov %r0, 0
                        exit""");
        assertEquals(100, a.entry().stackDepth());
        assertEquals(104, a.entry().roundedStackDepth());
        // prog (128) -> big (64) -> small (32)
        assertEquals(224, a.maxStackDepth());
    }

    @Test
    void exactly512BytesOverTheChainAndExactly8FramesAreAllowed() {
        ProgramAnalysis bytes = analyse("""
                        stdw [%r10-256], 0
                        call local sub
                        exit
                        sub:
                        stdw [%r10-256], 0
                        mov %r0, 0
                        exit""");
        assertEquals(512, bytes.maxStackDepth());
        StringBuilder chain = new StringBuilder("call local f1\nexit\n");
        for (int i = 1; i < 7; i++) {
            chain.append("f").append(i).append(":\ncall local f").append(i + 1).append("\nexit\n");
        }
        chain.append("f7:\nmov %r0, 0\nexit\n");
        ProgramAnalysis frames = analyse(chain.toString());
        assertEquals(8, frames.functions().size());
        assertEquals(8 * 32, frames.maxStackDepth());
    }

    @Test
    void aStackPointerGivenToAHelperSizesTheFrameDownToIt() {
        ProgramAnalysis a = analyse("""
                        .map counters hash key=4 value=8 entries=4
                        mov %r2, %r10
                        add %r2, -16
                        stw [%r2], 7
                        lddw %r1, map:counters
                        call map_lookup_elem
                        mov %r0, 0
                        exit""");
        assertEquals(16, a.entry().stackDepth());
        assertEquals(List.of(1), a.helpers());
    }

    @Test
    void tailCallInTheEntryMakesTheEntryTailCallReachable() {
        ProgramAnalysis a = analyse("""
                        .map jmp_table prog_array key=4 value=4 entries=2
                        lddw %r2, map:jmp_table
                        mov %r3, 1
                        call tail_call
                        mov %r0, 0
                        exit""");
        assertTrue(a.entry().callsTailCall());
        assertTrue(a.entry().tailCallReachable());
        assertEquals(List.of(12), a.helpers());
    }

    @Test
    void tailCallReachableMarksEveryFunctionOnAChainToATailCall() {
        ProgramAnalysis a = analyse("""
                        .map jmp_table prog_array key=4 value=4 entries=2
                        call local outer
                        call local plain
                        exit
                        outer:
                        call local tail
                        exit
                        tail:
                        lddw %r2, map:jmp_table
                        mov %r3, 0
                        call tail_call
                        mov %r0, 0
                        exit
                        plain:
                        mov %r0, 0
                        exit""");
        List<BpfFunction> f = a.functions();
        assertEquals(List.of("prog", "outer", "tail", "plain"), f.stream().map(BpfFunction::name).toList());
        assertEquals(List.of(true, true, true, false), f.stream().map(BpfFunction::tailCallReachable).toList());
        assertEquals(List.of(false, false, true, false), f.stream().map(BpfFunction::callsTailCall).toList());
    }

    @Test
    void tailCallingSubprogramMayBeCalledUnder256BytesOfCallerFrames() {
        ProgramAnalysis a = analyse("""
                        .map jmp_table prog_array key=4 value=4 entries=1
                        stdw [%r10-224], 0
                        call local sub
                        exit
                        sub:
                        lddw %r2, map:jmp_table
                        mov %r3, 0
                        call tail_call
                        mov %r0, 0
                        exit""");
        assertEquals(224, a.entry().stackDepth());
        assertTrue(a.functions().get(1).tailCallReachable());
    }

    @Test
    void tailCallSitesRecordTheMapAndTheConstantKey() {
        ProgramAnalysis a = analyse("""
                        .map jmp_table prog_array key=4 value=4 entries=4
                        .map other_table prog_array key=4 value=4 entries=4
                        mov %r6, %r1
                        lddw %r2, map:jmp_table
                        mov %r3, 2
                        call tail_call
                        mov %r1, %r6
                        lddw %r2, map:jmp_table
                        mov %r3, 4
                        call tail_call
                        mov %r1, %r6
                        lddw %r2, map:jmp_table
                        ldxw %r3, [%r6]
                        call tail_call
                        mov %r1, %r6
                        lddw %r2, map:jmp_table
                        lddw %r3, 0x100000001
                        call tail_call
                        mov %r1, %r6
                        lddw %r2, map:jmp_table
                        jeq %r6, 0, +2
                        lddw %r2, map:other_table
                        mov %r3, 0
                        call tail_call
                        mov %r0, 0
                        exit""");
        assertEquals(5, a.tailCallSites().size());
        assertEquals(new TailCallSite(4, 0, 2, true), a.tailCallSites().get(4), "constant key below max_entries: direct");
        assertEquals(new TailCallSite(9, 0, 4, false), a.tailCallSites().get(9), "constant key == max_entries: not direct");
        assertEquals(new TailCallSite(14, 0, -1, false), a.tailCallSites().get(14), "key read from memory: indirect");
        assertEquals(new TailCallSite(20, 0, 1, true), a.tailCallSites().get(20), "key 0x1_0000_0001 is 1 as a u32");
        assertEquals(new TailCallSite(28, -1, 0, false), a.tailCallSites().get(28), "map differs per path: indirect");
    }

    @Test
    void negativeConstantKeyIsAHugeU32AndNotDirect() {
        ProgramAnalysis a = analyse("""
                        .map jmp_table prog_array key=4 value=4 entries=4
                        lddw %r2, map:jmp_table
                        mov %r3, -1
                        call tail_call
                        mov %r0, 0
                        exit""");
        assertEquals(new TailCallSite(3, 0, 0xffff_ffffL, false), a.tailCallSites().get(3));
    }

    @Test
    void spilledMapPointerAndKeySurviveAHelperCall() {
        ProgramAnalysis a = analyse("""
                        .map jmp_table prog_array key=4 value=4 entries=4
                        mov %r6, %r1
                        lddw %r2, map:jmp_table
                        stxdw [%r10-8], %r2
                        stdw [%r10-16], 3
                        call ktime_get_ns
                        ldxdw %r2, [%r10-8]
                        ldxdw %r3, [%r10-16]
                        mov %r1, %r6
                        call tail_call
                        mov %r0, 0
                        exit""");
        assertEquals(new TailCallSite(9, 0, 3, true), a.tailCallSites().get(9));
        assertEquals(List.of(5, 12), a.helpers());
    }

    @Test
    void loopsAreAllowedAndReachAFixpoint() {
        ProgramAnalysis a = analyse("""
                        mov %r0, 0
                        mov %r1, 0
                        loop:
                        add %r0, %r1
                        add %r1, 1
                        jlt %r1, 1000, loop
                        exit""");
        assertEquals(0, a.entry().stackDepth());
    }

    @Test
    void loopIndexingAStackBufferThroughABoundedCounter() {
        ProgramAnalysis a = analyse("""
                        mov %r1, 0
                        loop:
                        mov %r2, %r10
                        add %r2, -64
                        add %r2, %r1
                        stb [%r2], 0
                        add %r1, 1
                        jlt %r1, 64, loop
                        mov %r0, 0
                        exit""");
        assertEquals(64, a.entry().stackDepth());
    }

    @Test
    void counterLoopEndingOnNotEqualFillsABufferThatIsThenRead() {
        // clang -O2 for: volatile u8 buf[64]; for (i = 0; i < 64; i++) buf[i] = i; return buf[0] + buf[56];
        ProgramAnalysis a = analyse("""
                        mov %r1, 0
                        loop:
                        mov %r2, %r10
                        add %r2, -64
                        add %r2, %r1
                        stxb [%r2], %r1
                        add %r1, 1
                        jne %r1, 64, loop
                        ldxb %r0, [%r10-64]
                        ldxb %r1, [%r10-8]
                        add %r0, %r1
                        exit""");
        assertEquals(64, a.entry().stackDepth());
    }

    @Test
    void loopThatStopsOneByteShortLeavesTheLastByteUnwrittenForAnUnprivilegedLoader() {
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(assemble("""
                        mov %r1, 0
                        loop:
                        mov %r2, %r10
                        add %r2, -64
                        add %r2, %r1
                        stxb [%r2], %r1
                        add %r1, 1
                        jne %r1, 63, loop
                        ldxb %r0, [%r10-1]
                        exit"""), UNPRIVILEGED));
        assertEquals("prog.s: function 'prog': insn 7 'ldxb %r0, [%r10-1]': reads stack byte r10-1, which is not written on every path",
                        error.getMessage());
    }

    @Test
    void unwrittenStackBytesMayBeReadAsByAPrivilegedLoaderAndTheLoadsAreListed() {
        ProgramAnalysis a = analyse("""
                        stw [%r10-8], 0
                        ldxw %r0, [%r10-8]
                        ldxb %r1, [%r10-100]
                        ldxdw %r2, [%r10-8]
                        exit""");
        assertEquals(Set.of(2, 3), a.unwrittenStackReads(), "the byte at r10-100 and the upper half of r10-8 were never written");
        assertEquals(100, a.entry().stackDepth(), "the frame covers the unwritten byte read, so the engines clear it");
    }

    @Test
    void andWithANegativeMaskKeepsAByteSmallThroughItsTristateNumber() {
        // A byte (0..255) & ~7 has bits 3-7 unknown and the rest known 0: 0..248, a bounded stack offset.
        ProgramAnalysis a = analyse("""
                        ldxb %r2, [%r1]
                        and %r2, -8
                        mov %r3, %r10
                        add %r3, -256
                        add %r3, %r2
                        stb [%r3], 1
                        mov %r0, 0
                        exit""");
        assertEquals(256, a.entry().stackDepth());
        assertTrue(a.isProvenAccess(5), "the store stays in [r10-256, r10-7)");
    }

    @Test
    void xorWithMinusOneOfAByteIsBetweenMinus256AndMinus1() {
        ProgramAnalysis a = analyse("""
                        ldxb %r2, [%r1]
                        xor %r2, -1
                        mov %r3, %r10
                        add %r3, %r2
                        stb [%r3], 1
                        mov %r0, 0
                        exit""");
        assertEquals(256, a.entry().stackDepth());
        assertTrue(a.isProvenAccess(4));
    }

    @Test
    void negatingThePacketEndGivesANumberAsForAPrivilegedLoader() {
        analyse("""
                        .program prog xdp
                        ldxw %r2, [%r1+4]
                        neg %r2
                        stxdw [%r10-8], %r2
                        mov %r0, 2
                        exit""");
    }

    @Test
    void comparisonWithAConstantRegisterOnTheLeftBoundsTheRight() {
        ProgramAnalysis a = analyse("""
                        ldxdw %r1, [%r1]
                        mov %r3, 8
                        jgt %r3, %r1, +2
                        mov %r0, 0
                        exit
                        mov %r2, %r10
                        add %r2, -8
                        add %r2, %r1
                        stb [%r2], 0
                        mov %r0, 0
                        exit""");
        assertEquals(8, a.entry().stackDepth());
    }

    @Test
    void aBranchTheConstantsRuleOutIsNotChecked() {
        // As in the kernel: r2 is 1, so the fall-through edge of the jeq is never taken and r7 is never read.
        analyse("""
                        mov %r0, 0
                        mov %r2, 1
                        jeq %r2, 1, +1
                        mov %r0, %r7
                        exit""");
    }

    @Test
    void helperWritingAStackBufferMakesItReadable() {
        ProgramAnalysis a = analyse("""
                        .program filter socket
                        mov %r6, %r1
                        mov %r2, 0
                        mov %r3, %r10
                        add %r3, -16
                        mov %r4, 16
                        call skb_load_bytes
                        ldxdw %r0, [%r10-16]
                        ldxdw %r1, [%r10-8]
                        add %r0, %r1
                        exit""");
        assertEquals(16, a.entry().stackDepth());
        assertEquals(List.of(26), a.helpers());
    }

    @Test
    void helperWritesOnlyAsManyBytesAsTheConstantSizeSaysForAnUnprivilegedLoader() {
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(assemble("""
                        .program filter socket
                        mov %r2, 0
                        mov %r3, %r10
                        add %r3, -16
                        mov %r4, 8
                        call skb_load_bytes
                        ldxdw %r0, [%r10-8]
                        exit"""), UNPRIVILEGED));
        assertEquals("prog.s: function 'filter': insn 5 'ldxdw %r0, [%r10-8]': reads stack byte r10-8, which is not written on every path",
                        error.getMessage());
    }

    @Test
    void calledFunctionMayFillTheCallersBuffer() {
        ProgramAnalysis a = analyse("""
                        mov %r1, %r10
                        add %r1, -8
                        call local fill
                        ldxdw %r0, [%r10-8]
                        exit
                        fill:
                        stdw [%r1], 42
                        mov %r0, 0
                        exit""");
        assertEquals(8, a.entry().stackDepth());
        assertEquals(0, a.functions().get(1).stackDepth(), "the callee writes through an argument, not its own frame");
    }

    @Test
    void calledFunctionWritingBelowThePointerSizesTheCallersFrame() {
        ProgramAnalysis a = analyse("""
                        mov %r1, %r10
                        add %r1, -8
                        call local fill
                        ldxdw %r0, [%r10-16]
                        exit
                        fill:
                        stdw [%r1-8], 7
                        mov %r0, 0
                        exit""");
        assertEquals(16, a.entry().stackDepth());
        assertEquals(0, a.functions().get(1).stackDepth());
    }

    @Test
    void callerBytesAFunctionNeverTouchesStayUnwrittenForAnUnprivilegedLoader() {
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(assemble("""
                        mov %r1, %r10
                        add %r1, -16
                        call local fill
                        ldxdw %r0, [%r10-8]
                        exit
                        fill:
                        stdw [%r1], 7
                        mov %r0, 0
                        exit"""), UNPRIVILEGED));
        assertEquals("prog.s: function 'prog': insn 3 'ldxdw %r0, [%r10-8]': reads stack byte r10-8, which is not written on every path",
                        error.getMessage());
    }

    @Test
    void r2IsSetAtEntryOfRawProgramsOrWhenTheOptionsSaySo() {
        analyse("mov %r0, %r2\nexit");
        Program socket = assemble(".program filter socket\nmov %r0, %r2\nexit");
        assertThrows(BpfError.class, () -> Verifier.verify(socket));
        assertTrue(Verifier.verify(socket, VerifierOptions.defaults().withR2AtEntry(true)).isVerified());
        Program raw = assemble("mov %r0, %r2\nexit");
        assertThrows(BpfError.class, () -> Verifier.verify(raw, VerifierOptions.defaults().withR2AtEntry(false)));
    }

    @Test
    void subprogramsReceiveR1ToR5AsArguments() {
        analyse("""
                        mov %r1, 1
                        mov %r2, 2
                        mov %r3, 3
                        mov %r4, 4
                        mov %r5, 5
                        call local sum
                        exit
                        sum:
                        mov %r0, %r1
                        add %r0, %r2
                        add %r0, %r3
                        add %r0, %r4
                        add %r0, %r5
                        exit""");
    }

    @Test
    void subprogramMayLeaveR0UnsetWhenItsCallerDoesNotReadIt() {
        // What clang emits for a noinline function whose constant result the caller folds in itself.
        analyse("""
                        call local sub
                        mov %r0, 1
                        exit
                        sub:
                        stdw [%r10-8], 0
                        exit""");
    }

    @Test
    void calleeSavedRegistersSurviveCalls() {
        analyse("""
                        mov %r6, 6
                        mov %r9, 9
                        call ktime_get_ns
                        call local sub
                        mov %r0, %r6
                        add %r0, %r9
                        exit
                        sub:
                        mov %r0, 0
                        exit""");
    }

    @Test
    void helperListIsSortedAndDistinct() {
        ProgramAnalysis a = analyse("""
                        call get_prandom_u32
                        call ktime_get_ns
                        call get_prandom_u32
                        mov %r1, 8
                        call %r1
                        exit""");
        assertEquals(List.of(5, 7, 8), a.helpers());
    }

    @Test
    void verifiedProgramKeepsItsCodeAndSaysSo() {
        Program program = assemble("mov %r0, 0\nexit");
        assertFalse(program.isVerified());
        Program verified = Verifier.verify(program);
        assertEquals(program.code(), verified.code());
        assertEquals(program.name(), verified.name());
        assertTrue(verified.isVerified());
        assertTrue(verified.analysis().tailCallSites().isEmpty());
    }
}
