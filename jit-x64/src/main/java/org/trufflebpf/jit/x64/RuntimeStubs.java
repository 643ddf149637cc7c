package org.trufflebpf.jit.x64;

import static org.trufflebpf.jit.x64.Registers.*;

import org.trufflebpf.jit.x64.X86Assembler.Alu;

/**
 * Native code at the start of every image that is not BPF code: the entry trampoline (C ABI in, BPF ABI
 * out), the error exit that unwinds a failed run, and the checks of checked mode. Error sites reach a stub
 * with {@code call}, so the stub finds the faulting site from its return address.
 */
final class RuntimeStubs {
    /** Offsets of the stubs in the image. */
    int entryTrampoline;
    int errorExit;
    final int[] memoryCheck = new int[9]; // reads, by access size 1, 2, 4, 8
    final int[] memoryWriteCheck = new int[9]; // writes: read-only regions do not count
    int unknownHelper;
    int callDepthExceeded;
    int notProgArray;
    int budgetExhausted;
    int helperFailed;
    int misalignedAtomic;
    /** Checked code only: asks the host what it wants when the cancel flag is set. */
    int hostPoll;
    /** Checked code only: a bpf-to-bpf call found the thread's stack too low. */
    int stackOverflow;
    /** Checked code only: a run entered this program from another module's code. */
    int enterModule;

    private static final int[] SAVED_BY_TRAMPOLINE = {RBX, RBP, R12, R13, R14, R15};
    /** The x86 registers of BPF r0 and r3 to r9 (r1 and r2 are the entry's arguments, r10 is rbp). */
    private static final int[] ZEROED_AT_ENTRY = {RAX, RDX, RCX, R8, RBX, R13, R14, R15};

    private int entryCallSite;
    private boolean budget;

    /**
     * {@code checked}: also the stubs only checked code calls (unchecked images keep the kernel's layout alone).
     * {@code budget}: the code keeps the remaining budget in {@link Registers#BUDGET}; the trampoline loads it
     * from the run block and both exits store it back.
     */
    void emit(X86Assembler asm, boolean checked, boolean budget) {
        this.budget = budget;
        // entry(r1, r2, runBlock): saves the C callee-saved registers, remembers rsp for the error exit.
        entryTrampoline = asm.position();
        for (int r : SAVED_BY_TRAMPOLINE) {
            asm.push(r);
        }
        asm.movRegReg(true, RUN_CONTEXT, RDX);
        asm.store(8, RUN_CONTEXT, NativeRunBlock.SAVED_RSP, RSP);
        // BPF r0 and r3-r9 start at 0, as in the interpreter: rdx still holds the run block's address, and
        // rbx, r13-r15 the JVM's values (r15 its current thread), none of which a program may see.
        for (int r : ZEROED_AT_ENTRY) {
            asm.aluRegReg(Alu.XOR, false, r, r);
        }
        if (budget) {
            asm.load(8, BUDGET, RUN_CONTEXT, NativeRunBlock.BUDGET_REMAINING);
        }
        entryCallSite = asm.position();
        asm.callRel32(0); // to function 0, which follows the stubs: patched at the end
        emitRestoreAndReturn(asm);

        // error exit: unwind every BPF frame at once (every way here keeps the budget register current).
        errorExit = asm.position();
        asm.load(8, RSP, RUN_CONTEXT, NativeRunBlock.SAVED_RSP);
        emitRestoreAndReturn(asm);

        for (int size : new int[] {1, 2, 4, 8}) {
            memoryCheck[size] = emitMemoryCheck(asm, size, false);
            memoryWriteCheck[size] = emitMemoryCheck(asm, size, true);
        }
        unknownHelper = asm.position();
        emitFail(asm, NativeRunBlock.ERROR_UNKNOWN_HELPER);
        callDepthExceeded = asm.position();
        emitFail(asm, NativeRunBlock.ERROR_CALL_DEPTH);
        notProgArray = asm.position();
        emitFail(asm, NativeRunBlock.ERROR_NOT_PROG_ARRAY);
        budgetExhausted = asm.position();
        emitFail(asm, NativeRunBlock.ERROR_BUDGET);
        misalignedAtomic = asm.position();
        emitFail(asm, NativeRunBlock.ERROR_MISALIGNED_ATOMIC);
        // The helper already stored its error code: record the call site and unwind.
        helperFailed = asm.position();
        asm.pop(AUX);
        asm.store(8, RUN_CONTEXT, NativeRunBlock.FAULT_RIP, AUX);
        asm.jmpTo(errorExit);
        if (checked) {
            stackOverflow = asm.position();
            emitFail(asm, NativeRunBlock.ERROR_STACK_OVERFLOW);
            hostPoll = emitJavaCall(asm, NativeRunBlock.hostPollUpcall(), false);
            enterModule = emitJavaCall(asm, NativeRunBlock.enterModuleUpcall(), true);
        }
        // Function 0 follows the stubs directly.
        asm.patch32(entryCallSite + 1, asm.position() - (entryCallSite + 5));
    }

    private void emitRestoreAndReturn(X86Assembler asm) {
        if (budget) {
            asm.store(8, RUN_CONTEXT, NativeRunBlock.BUDGET_REMAINING, BUDGET);
        }
        for (int i = SAVED_BY_TRAMPOLINE.length - 1; i >= 0; i--) {
            asm.pop(SAVED_BY_TRAMPOLINE[i]);
        }
        asm.ret();
    }

    /**
     * A call into Java from a function entry or loop head (where r10 and r11 hold nothing), keeping every BPF
     * register: the host poll when the cancel flag is set, or the module entry (whose argument is the return
     * address, which lies in the calling program's code). Java either lets the run go on (return) or stops it,
     * having stored an error code ({@link NativeRunBlock#ERROR_CANCELLED}): then the run unwinds from the calling
     * site, as after a failed helper. Returns the entry offset.
     */
    private int emitJavaCall(X86Assembler asm, long upcall, boolean passReturnAddress) {
        int entry = asm.position();
        // The C-ABI caller-saved registers that hold BPF values or the budget, and rbx to keep the unaligned
        // stack pointer.
        int[] saved = {RAX, RDI, RSI, RDX, RCX, R8, BUDGET, RBX};
        for (int r : saved) {
            asm.push(r);
        }
        if (passReturnAddress) {
            asm.load(8, RDI, RSP, 8 * saved.length);
        }
        asm.movRegReg(true, RBX, RSP);
        asm.aluRegImm(Alu.AND, true, RSP, -16);
        asm.movRegImm64(AUX, upcall);
        asm.callReg(AUX);
        asm.movRegReg(true, RSP, RBX);
        for (int i = saved.length - 1; i >= 0; i--) {
            asm.pop(saved[i]);
        }
        asm.aluMemImm(Alu.CMP, true, RUN_CONTEXT, NativeRunBlock.ERROR_CODE, 0);
        asm.jccTo(X86Assembler.CC_NE, helperFailed);
        asm.ret();
        return entry;
    }

    /** Records the error and the caller's return address (on top of the stack), then unwinds. */
    private void emitFail(X86Assembler asm, int errorCode) {
        asm.pop(AUX);
        asm.store(8, RUN_CONTEXT, NativeRunBlock.FAULT_RIP, AUX);
        asm.store(8, RUN_CONTEXT, NativeRunBlock.FAULT_ADDRESS, SCRATCH);
        asm.storeImm(8, RUN_CONTEXT, NativeRunBlock.ERROR_CODE, errorCode);
        asm.jmpTo(errorExit);
    }

    /**
     * Checks that [r10, r10 + size) lies wholly inside an active BPF frame or one of the run's regions (a
     * writable one for a write); r11 holds the current function's frame size. Frames: the current one
     * [rbp - r11, rbp), then each caller's as it recorded itself in the run block's frame table before its
     * call, never the bytes between frames (saved registers, return addresses). Then the run's region table;
     * then, when the run has one, the Java fallback for memory the table does not list (regions that appear
     * during the run). Keeps every BPF register. Returns the entry offset.
     */
    private int emitMemoryCheck(X86Assembler asm, int size, boolean write) {
        // The exit for allowed accesses comes first so that every jump to it is a short backward one.
        int ok = asm.position();
        asm.pop(RCX);
        asm.pop(RAX);
        asm.ret();

        int entry = asm.position();
        asm.push(RAX);
        asm.push(RCX);
        // Recorded for the error message, should the access be refused.
        asm.store(8, RUN_CONTEXT, NativeRunBlock.FAULT_FRAME_TOP, RBP);
        asm.store(8, RUN_CONTEXT, NativeRunBlock.FAULT_FRAME_SIZE, AUX);
        asm.movRegReg(true, RCX, RBP);
        asm.aluRegReg(Alu.SUB, true, RCX, AUX); // rcx = current frame bottom
        asm.aluRegReg(Alu.CMP, true, SCRATCH, RCX);
        int belowFrame = asm.jccForward8(X86Assembler.CC_B);
        asm.aluRegReg(Alu.CMP, true, SCRATCH, RBP);
        int aboveFrame = asm.jccForward8(X86Assembler.CC_AE);
        asm.lea(AUX, SCRATCH, size);
        asm.aluRegReg(Alu.CMP, true, AUX, RBP);
        asm.jccTo(X86Assembler.CC_BE, ok);
        asm.bindForward8(belowFrame);
        asm.bindForward8(aboveFrame);

        // The callers' frames, deepest first: entry i of the table is (r10, size) of the caller at depth i.
        asm.load(8, RCX, RUN_CONTEXT, NativeRunBlock.CALL_DEPTH);
        int frameLoop = asm.position();
        asm.testRegReg(true, RCX, RCX);
        int noMoreFrames = asm.jccForward8(X86Assembler.CC_E);
        asm.aluRegImm(Alu.SUB, true, RCX, 1);
        asm.movRegReg(true, RAX, RCX);
        asm.shiftRegImm(X86Assembler.Shift.SHL, true, RAX, 4);
        asm.aluRegReg(Alu.ADD, true, RAX, RUN_CONTEXT);
        asm.load(8, AUX, RAX, NativeRunBlock.FRAMES); // top
        asm.aluRegReg(Alu.CMP, true, SCRATCH, AUX);
        asm.jccTo(X86Assembler.CC_AE, frameLoop);
        asm.aluRegMem(Alu.SUB, true, AUX, RAX, NativeRunBlock.FRAMES + 8); // bottom
        asm.aluRegReg(Alu.CMP, true, SCRATCH, AUX);
        asm.jccTo(X86Assembler.CC_B, frameLoop);
        asm.lea(AUX, SCRATCH, size);
        asm.aluRegMem(Alu.CMP, true, AUX, RAX, NativeRunBlock.FRAMES);
        asm.jccTo(X86Assembler.CC_BE, ok);
        asm.jmpTo(frameLoop);

        asm.bindForward8(noMoreFrames);
        asm.load(8, RCX, RUN_CONTEXT, NativeRunBlock.REGION_COUNT);
        asm.lea(RAX, RUN_CONTEXT, NativeRunBlock.REGIONS);
        int regionLoop = asm.position();
        asm.testRegReg(true, RCX, RCX);
        int noMoreRegions = asm.jccForward8(X86Assembler.CC_E);
        asm.aluRegMem(Alu.CMP, true, SCRATCH, RAX, 0);
        int belowRegion = asm.jccForward8(X86Assembler.CC_B);
        asm.aluRegMem(Alu.CMP, true, SCRATCH, RAX, 8);
        int aboveRegion = asm.jccForward8(X86Assembler.CC_AE);
        asm.lea(AUX, SCRATCH, size);
        asm.aluRegMem(Alu.CMP, true, AUX, RAX, 8);
        int endAboveRegion = asm.jccForward8(X86Assembler.CC_A);
        if (write) {
            asm.aluMemImm(Alu.CMP, true, RAX, 16, 0);
            asm.jccTo(X86Assembler.CC_NE, ok);
        } else {
            asm.jmpTo(ok);
        }
        asm.bindForward8(belowRegion);
        asm.bindForward8(aboveRegion);
        asm.bindForward8(endAboveRegion);
        asm.aluRegImm(Alu.ADD, true, RAX, NativeRunBlock.REGION_BYTES);
        asm.aluRegImm(Alu.SUB, true, RCX, 1);
        asm.jmpTo(regionLoop);

        asm.bindForward8(noMoreRegions);
        asm.load(8, AUX, RUN_CONTEXT, NativeRunBlock.SLOW_CHECK);
        asm.testRegReg(true, AUX, AUX);
        int noFallback = asm.jccForward8(X86Assembler.CC_E);
        // A C call: save the caller-saved registers that hold BPF values (rax and rcx are saved already),
        // align the stack in rbx (callee-saved, restored after), pass (address, size, write).
        int[] saved = {RDX, RSI, RDI, R8, R9, SCRATCH, RBX};
        for (int r : saved) {
            asm.push(r);
        }
        asm.movRegReg(true, RBX, RSP);
        asm.aluRegImm(Alu.AND, true, RSP, -16);
        asm.movRegReg(true, RDI, SCRATCH);
        asm.movRegImm32(RSI, size);
        asm.movRegImm32(RDX, write ? 1 : 0);
        asm.callReg(AUX);
        asm.movRegReg(true, RSP, RBX);
        for (int i = saved.length - 1; i >= 0; i--) {
            asm.pop(saved[i]);
        }
        asm.testRegReg(true, RAX, RAX);
        asm.jccTo(X86Assembler.CC_NE, ok);

        asm.bindForward8(noFallback);
        asm.pop(RCX);
        asm.pop(RAX);
        emitFail(asm, NativeRunBlock.ERROR_MEMORY);
        return entry;
    }
}
