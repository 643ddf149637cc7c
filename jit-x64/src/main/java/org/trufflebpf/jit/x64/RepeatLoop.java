package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.trufflebpf.jit.x64.Registers.RAX;
import static org.trufflebpf.jit.x64.Registers.RBX;
import static org.trufflebpf.jit.x64.Registers.RCX;
import static org.trufflebpf.jit.x64.Registers.RDI;
import static org.trufflebpf.jit.x64.Registers.RDX;
import static org.trufflebpf.jit.x64.Registers.RSI;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The native loop of a batch of runs over one input, as BPF_PROG_TEST_RUN's repeat loops in the kernel: one
 * downcall for many runs. Before each run it puts the input's and the context's bytes back from their images
 * and resets the run block's per-run header as {@link NativeRunBlock#start} does; then it calls the program's
 * entry trampoline. It stops after the runs it was asked for, after a run that failed (its error code stays in
 * the block for the host to report), or once the host's cancel flag is set. Only for code that never calls Java
 * in a run but to check an access or poll the host (see {@link NativeProgram#repeatsInNativeLoop}), since a
 * helper could change what the loop puts back.
 *
 * <p>It reads everything from a descriptor of 8-byte fields, whose offsets follow.
 */
final class RepeatLoop {
    static final int TRAMPOLINE = 0;
    static final int R1 = 8;
    static final int R2 = 16;
    static final int BLOCK = 24;
    /** Runs to make; the loop counts the runs made in {@link #DONE} and leaves the last r0 in {@link #R0}. */
    static final int COUNT = 32;
    static final int DONE = 40;
    static final int R0 = 48;
    static final int INPUT_IMAGE = 56;
    static final int INPUT_ADDRESS = 64;
    static final int INPUT_LENGTH = 72;
    static final int CONTEXT_IMAGE = 80;
    static final int CONTEXT_ADDRESS = 88;
    static final int CONTEXT_LENGTH = 96;
    /** The budget each run starts with, and the module its code is (the block's CURRENT_MODULE at entry). */
    static final int BUDGET = 104;
    static final int MODULE = 112;
    /** Address of the word that, once non-zero, stops the loop after the run in progress. */
    static final int CANCEL_FLAG = 120;
    static final int BYTES = 128;

    /** The header fields a run starts with at 0, besides its tail-call count. */
    private static final int[] ZEROED = {NativeRunBlock.SAVED_RSP, NativeRunBlock.ERROR_CODE, NativeRunBlock.FAULT_RIP, NativeRunBlock.FAULT_ADDRESS,
                    NativeRunBlock.CALL_DEPTH, NativeRunBlock.HELPER_CALLER_RBP, NativeRunBlock.HELPER_CALLER_STACK, NativeRunBlock.FAULT_FRAME_TOP,
                    NativeRunBlock.FAULT_FRAME_SIZE, NativeRunBlock.STACK_SITE_RBP, NativeRunBlock.STACK_SITE, NativeRunBlock.TAIL_CALL_COUNT};

    private static final MethodHandle LOOP;

    static {
        CodeMemory memory = CodeMemory.allocate(4096);
        memory.write(0, code());
        memory.sealWrites();
        // Not a critical downcall: a batch may last long, and the JVM's safepoints must not wait for it.
        LOOP = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(memory.address()), FunctionDescriptor.ofVoid(JAVA_LONG));
    }

    private RepeatLoop() {
    }

    /** Runs the loop the descriptor at {@code descriptor} describes. */
    static void run(long descriptor) {
        try {
            LOOP.invokeExact(descriptor);
        } catch (Throwable t) {
            throw new IllegalStateException("native repeat loop failed", t);
        }
    }

    /** The loop's code; rbx holds the descriptor (the trampoline saves it), rdx the block while it is reset. */
    static byte[] code() {
        X86Assembler asm = new X86Assembler();
        // One push: the stack is 16-byte aligned at the calls below, as at a call from C.
        asm.push(RBX);
        asm.movRegReg(true, RBX, RDI);
        int loop = asm.position();
        copy(asm, INPUT_IMAGE, INPUT_ADDRESS, INPUT_LENGTH);
        copy(asm, CONTEXT_IMAGE, CONTEXT_ADDRESS, CONTEXT_LENGTH);
        asm.load64Disp32(RDX, RBX, BLOCK);
        asm.aluRegReg(X86Assembler.Alu.XOR, false, RAX, RAX);
        for (int field : ZEROED) {
            asm.store(8, RDX, field, RAX);
        }
        asm.load64Disp32(RAX, RBX, BUDGET);
        asm.store(8, RDX, NativeRunBlock.BUDGET_REMAINING, RAX);
        asm.load64Disp32(RAX, RBX, MODULE);
        asm.store(8, RDX, NativeRunBlock.CURRENT_MODULE, RAX);
        // trampoline(r1, r2, block), as the single run's downcall calls it.
        asm.load64Disp32(RDI, RBX, R1);
        asm.load64Disp32(RSI, RBX, R2);
        asm.load64Disp32(RAX, RBX, TRAMPOLINE);
        asm.callReg(RAX);
        asm.store(8, RBX, R0, RAX);
        asm.aluMemImm(X86Assembler.Alu.ADD, true, RBX, DONE, 1);
        asm.load64Disp32(RDX, RBX, BLOCK);
        asm.aluMemImm(X86Assembler.Alu.CMP, true, RDX, NativeRunBlock.ERROR_CODE, 0);
        int failed = asm.jccForward8(X86Assembler.CC_NE);
        asm.load64Disp32(RCX, RBX, CANCEL_FLAG);
        asm.aluMemImm(X86Assembler.Alu.CMP, true, RCX, 0, 0);
        int cancelled = asm.jccForward8(X86Assembler.CC_NE);
        asm.load64Disp32(RAX, RBX, DONE);
        asm.aluRegMem(X86Assembler.Alu.CMP, true, RAX, RBX, COUNT);
        asm.jccTo(X86Assembler.CC_B, loop);
        asm.bindForward8(failed);
        asm.bindForward8(cancelled);
        asm.pop(RBX);
        asm.ret();
        return asm.toByteArray();
    }

    /**
     * Copies the descriptor's length field of bytes from its image field to its address field: 8 bytes at a time
     * and then the last 8, which may overlap what was copied (a packet and a context are short, where rep movsb's
     * start-up costs more than the copy); shorter than 8 bytes, byte by byte.
     */
    private static void copy(X86Assembler asm, int image, int address, int length) {
        asm.load64Disp32(RSI, RBX, image);
        asm.load64Disp32(RDI, RBX, address);
        asm.load64Disp32(RCX, RBX, length);
        asm.aluRegImm(X86Assembler.Alu.CMP, true, RCX, 8);
        int shortCopy = asm.jccForward8(X86Assembler.CC_B);
        int words = asm.position();
        asm.load(8, RAX, RSI, 0);
        asm.store(8, RDI, 0, RAX);
        asm.aluRegImm(X86Assembler.Alu.ADD, true, RSI, 8);
        asm.aluRegImm(X86Assembler.Alu.ADD, true, RDI, 8);
        asm.aluRegImm(X86Assembler.Alu.SUB, true, RCX, 8);
        asm.aluRegImm(X86Assembler.Alu.CMP, true, RCX, 8);
        asm.jccTo(X86Assembler.CC_AE, words);
        // The last 8 bytes: back from where the words stopped by the 8 - rcx bytes already copied.
        asm.aluRegImm(X86Assembler.Alu.SUB, true, RSI, 8);
        asm.aluRegReg(X86Assembler.Alu.ADD, true, RSI, RCX);
        asm.aluRegImm(X86Assembler.Alu.SUB, true, RDI, 8);
        asm.aluRegReg(X86Assembler.Alu.ADD, true, RDI, RCX);
        asm.load(8, RAX, RSI, 0);
        asm.store(8, RDI, 0, RAX);
        int done = asm.jmpForward8();
        asm.bindForward8(shortCopy);
        int bytes = asm.position();
        asm.testRegReg(true, RCX, RCX);
        int shortDone = asm.jccForward8(X86Assembler.CC_E);
        asm.load(1, RAX, RSI, 0);
        asm.store(1, RDI, 0, RAX);
        asm.aluRegImm(X86Assembler.Alu.ADD, true, RSI, 1);
        asm.aluRegImm(X86Assembler.Alu.ADD, true, RDI, 1);
        asm.aluRegImm(X86Assembler.Alu.SUB, true, RCX, 1);
        asm.jmpTo(bytes);
        asm.bindForward8(done);
        asm.bindForward8(shortDone);
    }
}
