package org.trufflebpf.jit.x64;

import static org.trufflebpf.jit.x64.Registers.*;
import static org.trufflebpf.model.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trufflebpf.jit.x64.X86Assembler.Alu;
import org.trufflebpf.jit.x64.X86Assembler.Shift;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.TailCallSite;
import org.trufflebpf.runtime.BasicBlocks;
import org.trufflebpf.runtime.HelperCost;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.maps.ArrayMap;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * Lowers a program to x86-64 the way the Linux JIT does: one switch over BPF opcodes that decides what to
 * emit (the {@link X86Assembler} encodes it), repeated passes until the layout stops changing so that jumps
 * take their short forms, and the {@code addrs} table (here {@code insnStart}/{@code insnEnd}) from BPF slots to
 * native offsets.
 */
public final class BpfToX86 {
    private static final int MAX_PASSES = 20;
    /** Nested frames a run may have, counting the entry frame. */
    static final int MAX_FRAMES = RunState.MAX_FRAMES;
    /** Frames up to this size are cleared by straight-line stores, larger ones by a loop. */
    private static final int UNROLLED_CLEAR_BYTES = 64;
    /** First-pass size guess per slot; large so that layouts only shrink from pass to pass. */
    private static final int INITIAL_SLOT_SIZE = 64;

    private final Program program;
    private final List<JitFunction> functions;
    private final JitOptions options;
    private final HelperTable helpers;
    private final NativeMaps maps;
    private final Map<Integer, TailCallSite> directTailCalls;
    private final int slots;

    private int[] prevStart;
    private int[] prevFunctionStart;
    private int[] start;
    private int[] end;
    private int[] functionStart;
    private X86Assembler asm;
    private RuntimeStubs stubs;
    private JitFunction current;
    private int currentSlot;
    private int epilogue;
    private SlowPaths slowPaths;
    private List<PokeDescriptor> pokes;
    private ArithmeticEmitter arith;
    private TailCallEmitter tailCalls;
    private Map<Integer, Integer> budgetBlocks;
    private Map<Integer, Integer> liveAfter;
    private Set<Integer> pollSlots;
    /** Per function id, computed once: they do not depend on the layout, so passes only read them. */
    private final Map<Integer, Map<Integer, Integer>> budgetBlocksOf = new HashMap<>();
    private final Map<Integer, Map<Integer, Integer>> liveAfterOf = new HashMap<>();
    private final Map<Integer, Set<Integer>> pollSlotsOf = new HashMap<>();

    private BpfToX86(Program program, JitOptions options, HelperTable helpers, NativeMaps maps) {
        this.program = program;
        this.functions = JitFunction.of(program);
        this.options = options;
        this.helpers = helpers;
        this.maps = maps;
        this.directTailCalls = TailCallSites.direct(program);
        this.slots = program.slotCount();
        this.inlineLookups = InlineArrayLookups.of(program, maps.maps());
    }

    /** The bpf_map_lookup_elem calls done in native code, by slot, with their array map. */
    private final Map<Integer, ArrayMap> inlineLookups;

    /** Lays out a program without maps. */
    public static NativeImage compile(Program program, JitOptions options) {
        return compile(program, options, MapSet.empty());
    }

    /** Lays out a program whose lddw map references resolve against the runtime's {@code maps}. */
    public static NativeImage compile(Program program, JitOptions options, MapSet maps) {
        return new BpfToX86(program, options, HelperTable.runtime(), new NativeMaps(maps)).compile();
    }

    private NativeImage compile() {
        ProgramChecks.check(program, functions);
        for (JitFunction function : functions) {
            budgetBlocksOf.put(function.id(), budgetBlocks(function));
            liveAfterOf.put(function.id(), RegisterLiveness.liveAfter(program, function));
            pollSlotsOf.put(function.id(), pollSlots(function));
        }
        prevStart = new int[slots + 1];
        prevFunctionStart = new int[functions.size()];
        for (int slot = 0; slot <= slots; slot++) {
            prevStart[slot] = 4096 + INITIAL_SLOT_SIZE * slot;
        }
        for (JitFunction f : functions) {
            prevFunctionStart[f.id()] = prevStart[f.start()];
        }
        for (int pass = 1; pass <= MAX_PASSES; pass++) {
            emitAll();
            if (Arrays.equals(start, prevStart) && Arrays.equals(functionStart, prevFunctionStart)) {
                return new NativeImage(program, options, functions, asm.toByteArray(), start, end, slowPaths.ranges(), functionStart, stubs.entryTrampoline,
                                pass, List.copyOf(pokes), Set.copyOf(inlineLookups.keySet()));
            }
            prevStart = start;
            prevFunctionStart = functionStart;
        }
        throw new BpfError(BpfError.Kind.LOAD, program.sourceName(), "native code layout did not converge in " + MAX_PASSES + " passes");
    }

    private void emitAll() {
        asm = new X86Assembler();
        stubs = new RuntimeStubs();
        stubs.emit(asm, options.checked(), options.budget());
        start = new int[slots + 1];
        end = new int[slots + 1];
        Arrays.fill(start, -1);
        Arrays.fill(end, -1);
        functionStart = new int[functions.size()];
        slowPaths = new SlowPaths();
        pokes = new ArrayList<>();
        arith = new ArithmeticEmitter(asm);
        tailCalls = new TailCallEmitter(asm, options, program, maps, stubs, pokes);
        for (JitFunction function : functions) {
            current = function;
            epilogue = -1;
            functionStart[function.id()] = asm.position();
            PrologueEmitter.emitPrologue(asm, function);
            clearFrameOnEntry(function);
            budgetBlocks = budgetBlocksOf.get(function.id());
            liveAfter = liveAfterOf.get(function.id());
            pollSlots = pollSlotsOf.get(function.id());
            for (Instruction insn : program.code()) {
                if (function.contains(insn.index())) {
                    currentSlot = insn.index();
                    start[currentSlot] = asm.position();
                    if (insn.index() == function.start() && function.id() == 0) {
                        checkModuleOnEntry();
                    }
                    if (pollSlots.contains(insn.index())) {
                        pollHost();
                    }
                    chargeBudget(budgetBlocks.getOrDefault(insn.index(), 0));
                    lower(insn);
                    end[currentSlot] = asm.position();
                }
            }
            slowPaths.emitPending(asm);
        }
        start[slots] = asm.position();
    }

    /** The blocks the budget charges, by the runtime's rule that both engines share: length by first slot. */
    private Map<Integer, Integer> budgetBlocks(JitFunction function) {
        List<Instruction> own = program.code().stream().filter(insn -> function.contains(insn.index())).toList();
        int[] lengths = BasicBlocks.blockLengths(own);
        Map<Integer, Integer> bySlot = new HashMap<>();
        for (int i = 0; i < own.size(); i++) {
            if (lengths[i] > 0) {
                bySlot.put(own.get(i).index(), lengths[i]);
            }
        }
        return bySlot;
    }

    /**
     * Checked mode: where the code looks at the cancel flag, so that any run that goes on for long passes one
     * often: the function's first instruction (every call, and every tail call, enters there) and each target
     * of a backward jump (every loop).
     */
    private Set<Integer> pollSlots(JitFunction function) {
        Set<Integer> slots = new HashSet<>();
        if (!options.checked()) {
            return slots;
        }
        slots.add(function.start());
        for (Instruction insn : program.code()) {
            if (function.contains(insn.index()) && insn.isBranch() && insn.branchTarget() <= insn.index()) {
                slots.add(insn.branchTarget());
            }
        }
        return slots;
    }

    /**
     * mov r11, [r12 + CANCEL_FLAG]; cmp qword [r11], 0; je +5; call hostPoll. The flag is set by another
     * thread when the host wants this one (close, interrupt); the stub calls the host with every register kept.
     */
    private void pollHost() {
        asm.load(8, AUX, RUN_CONTEXT, NativeRunBlock.CANCEL_FLAG);
        asm.aluMemImm(Alu.CMP, true, AUX, 0, 0);
        callOnSlowPath(X86Assembler.CC_NE, stubs.hostPoll, true);
    }

    /**
     * Checked mode: a {@code jcc} (condition {@code cc}) to a slow path of the current instruction that calls
     * {@code stub}, then, if {@code resumes}, goes on after the jcc (a stub that fails the run never returns).
     */
    private void callOnSlowPath(int cc, int stub, boolean resumes) {
        slowPaths.branchTo(asm, cc, currentSlot, slow -> slow.callTo(stub), resumes);
    }

    /**
     * Checked mode, at the entry function's first instruction (where runs and tail calls enter): when the run
     * comes from another module's code (a prog array slot the host filled with a program of another module),
     * the stub adds this module's maps to the memory the run may touch, as the interpreter does at such a tail
     * call. Runs within one module never take the call.
     */
    private void checkModuleOnEntry() {
        long module = NativeProgram.moduleId(maps.maps());
        if (!options.checked() || module == 0) {
            return;
        }
        arith.movImm64(AUX, module);
        asm.aluRegMem(Alu.CMP, true, AUX, RUN_CONTEXT, NativeRunBlock.CURRENT_MODULE);
        callOnSlowPath(X86Assembler.CC_NE, stubs.enterModule, true);
    }

    /** Where a position of this pass lay in the previous pass (equal once the layout has converged). */
    private int previousPosition(int position) {
        return prevStart[currentSlot] + (position - start[currentSlot]);
    }

    private BpfError unsupported(Instruction insn, String reason) {
        return BpfError.at(BpfError.Kind.LOAD, program.sourceName(), current.name(), insn, reason);
    }

    /**
     * Before a block of n instructions: remaining -= n in the budget register; on borrow, give the n back
     * (nothing is charged) and stop with the budget error at this instruction.
     */
    private void chargeBudget(int length) {
        if (!options.budget() || length == 0) {
            return;
        }
        asm.aluRegImm(Alu.SUB, true, BUDGET, length);
        // Exhausted: put the block's charge back (the run block reports what is left) and fail at this block.
        int budgetExhausted = stubs.budgetExhausted;
        slowPaths.branchTo(asm, X86Assembler.CC_B, currentSlot, slow -> {
            slow.aluRegImm(Alu.ADD, true, BUDGET, length);
            slow.callTo(budgetExhausted);
        }, false);
    }

    /** Before a call out of BPF code: the callee reads and charges the budget in the run block. */
    private void spillBudget() {
        if (options.budget()) {
            asm.store(8, RUN_CONTEXT, NativeRunBlock.BUDGET_REMAINING, BUDGET);
        }
    }

    /** After it: what the callee left (r9 is caller-saved in the C ABI, so nothing else is kept there). */
    private void reloadBudget() {
        if (options.budget()) {
            asm.load(8, BUDGET, RUN_CONTEXT, NativeRunBlock.BUDGET_REMAINING);
        }
    }

    private void lower(Instruction insn) {
        switch (insn.instructionClass()) {
            case CLASS_ALU, CLASS_ALU64 -> lowerAlu(insn);
            case CLASS_JMP, CLASS_JMP32 -> lowerJump(insn);
            case CLASS_LD -> lowerLd(insn);
            case CLASS_LDX -> lowerLoad(insn);
            case CLASS_ST -> lowerStoreImm(insn);
            case CLASS_STX -> lowerStx(insn);
            default -> throw unsupported(insn, "unknown instruction class");
        }
    }

    // ---- ALU ----

    private void lowerAlu(Instruction insn) {
        boolean w = insn.instructionClass() == CLASS_ALU64;
        boolean reg = source(insn.opcode()) == SRC_X;
        int d = ofBpf(insn.dst());
        int s = ofBpf(insn.src());
        int imm = insn.imm();
        switch (insn.operation()) {
            case ALU_ADD -> alu(Alu.ADD, w, reg, d, s, imm);
            case ALU_SUB -> alu(Alu.SUB, w, reg, d, s, imm);
            case ALU_OR -> alu(Alu.OR, w, reg, d, s, imm);
            case ALU_AND -> alu(Alu.AND, w, reg, d, s, imm);
            case ALU_XOR -> alu(Alu.XOR, w, reg, d, s, imm);
            case ALU_MUL -> {
                if (reg) {
                    asm.imulRegReg(w, d, s);
                } else {
                    asm.imulRegRegImm(w, d, d, imm);
                }
            }
            case ALU_NEG -> asm.negReg(w, d);
            case ALU_MOV -> lowerMov(insn, w, reg, d, s, imm);
            case ALU_DIV, ALU_MOD -> arith.lowerDivMod(w, reg, insn.offset() == 1, insn.operation() == ALU_MOD, d, s, imm);
            case ALU_LSH -> arith.shift(Shift.SHL, w, reg, d, s, imm, r4LiveAfter(insn));
            case ALU_RSH -> arith.shift(Shift.SHR, w, reg, d, s, imm, r4LiveAfter(insn));
            case ALU_ARSH -> arith.shift(Shift.SAR, w, reg, d, s, imm, r4LiveAfter(insn));
            case ALU_END -> arith.lowerEndian(w, reg, d, imm);
            default -> throw unsupported(insn, "unknown ALU operation");
        }
    }

    private boolean r4LiveAfter(Instruction insn) {
        return (liveAfter.getOrDefault(insn.index(), 0x7ff) & (1 << 4)) != 0;
    }

    private void alu(Alu op, boolean w, boolean reg, int d, int s, int imm) {
        if (reg) {
            asm.aluRegReg(op, w, d, s);
        } else {
            asm.aluRegImm(op, w, d, imm);
        }
    }

    private void lowerMov(Instruction insn, boolean w, boolean reg, int d, int s, int imm) {
        if (!reg) {
            if (w) {
                arith.movImm64(d, imm);
            } else {
                arith.movImm32(d, imm);
            }
            return;
        }
        switch (insn.offset()) {
            case 0 -> {
                if (!w || d != s) {
                    asm.movRegReg(w, d, s); // mov d32, d32 still zero-extends
                }
            }
            case 8 -> asm.movsxRegReg(w, 1, d, s);
            case 16 -> asm.movsxRegReg(w, 2, d, s);
            case 32 -> asm.movsxRegReg(true, 4, d, s);
            default -> throw unsupported(insn, "invalid sign extension width");
        }
    }

    // ---- memory ----

    private int sizeOf(Instruction insn) {
        return sizeBytes(size(insn.opcode()));
    }

    /**
     * Checked mode: proves the access is inside the function's own stack at compile time, or finds it among
     * the accesses the verifier proved inside their region ({@code ProgramAnalysis.provenAccesses}), or calls
     * the check stub with the address in r10 and the frame size in r11.
     */
    private void checkAccess(Instruction insn, int baseBpf, int offset, int size, boolean write) {
        if (!options.checked() || program.isVerified() && program.analysis().isProvenAccess(insn.index())) {
            return;
        }
        int rsd = current.roundedStackDepth();
        if (baseBpf == FRAME_POINTER && offset >= -rsd && offset + size <= 0) {
            return;
        }
        emitAccessCheck(baseBpf, offset, size, write);
    }

    /** The run-time check of an access: inline against the hot region, else through the check stub. */
    private void emitAccessCheck(int baseBpf, int offset, int size, boolean write) {
        int rsd = current.roundedStackDepth();
        // Inline, the run's input memory or packet (the hot region, see NativeRunBlock#HOT_BASE): one unsigned
        // compare of the offset into it; everything else (stack, context, map values) goes to the stub, on a slow
        // path after the function. The address goes into r10 for the stub only there, keeping the inline path at
        // four instructions.
        asm.lea(AUX, ofBpf(baseBpf), offset);
        asm.aluRegMem(Alu.SUB, true, AUX, RUN_CONTEXT, NativeRunBlock.HOT_BASE);
        int limits = write ? NativeRunBlock.HOT_WRITE_LIMITS : NativeRunBlock.HOT_READ_LIMITS;
        asm.aluRegMem(Alu.CMP, true, AUX, RUN_CONTEXT, limits + 8 * Integer.numberOfTrailingZeros(size));
        int base = ofBpf(baseBpf);
        int stub = write ? stubs.memoryWriteCheck[size] : stubs.memoryCheck[size];
        slowPaths.branchTo(asm, X86Assembler.CC_AE, currentSlot, slow -> {
            slow.lea(SCRATCH, base, offset);
            slow.movRegImm32(AUX, rsd);
            slow.callTo(stub);
        }, true);
    }

    /**
     * Checked mode: an atomic access must be naturally aligned, as the interpreter requires (x86 would do a
     * misaligned locked access, the interpreter stops); after the bounds check, as there.
     */
    private void checkAtomicAlignment(int baseBpf, int offset, int size) {
        if (!options.checked()) {
            return;
        }
        asm.lea(SCRATCH, ofBpf(baseBpf), offset);
        asm.testRegImm(true, SCRATCH, size - 1);
        callOnSlowPath(X86Assembler.CC_NE, stubs.misalignedAtomic, false);
    }

    private void lowerLoad(Instruction insn) {
        int size = sizeOf(insn);
        checkAccess(insn, insn.src(), insn.offset(), size, false);
        if (mode(insn.opcode()) == MODE_MEMSX) {
            asm.loadSignExtended(size, ofBpf(insn.dst()), ofBpf(insn.src()), insn.offset());
        } else {
            asm.load(size, ofBpf(insn.dst()), ofBpf(insn.src()), insn.offset());
        }
    }

    private void lowerStoreImm(Instruction insn) {
        int size = sizeOf(insn);
        checkAccess(insn, insn.dst(), insn.offset(), size, true);
        asm.storeImm(size, ofBpf(insn.dst()), insn.offset(), insn.imm());
    }

    private void lowerStx(Instruction insn) {
        int size = sizeOf(insn);
        checkAccess(insn, insn.dst(), insn.offset(), size, true);
        if (mode(insn.opcode()) == MODE_MEM) {
            asm.store(size, ofBpf(insn.dst()), insn.offset(), ofBpf(insn.src()));
        } else if (mode(insn.opcode()) == MODE_ATOMIC && (size == 4 || size == 8)) {
            checkAtomicAlignment(insn.dst(), insn.offset(), size);
            lowerAtomic(insn, size == 8);
        } else {
            throw unsupported(insn, "unsupported store mode");
        }
    }

    private void lowerAtomic(Instruction insn, boolean w) {
        int base = ofBpf(insn.dst());
        int s = ofBpf(insn.src());
        int off = insn.offset();
        int op = insn.imm();
        switch (op) {
            case ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR -> {
                asm.lock();
                asm.aluMemReg(atomicAlu(op), w, base, off, s);
            }
            case ATOMIC_ADD | ATOMIC_FETCH -> {
                asm.lock();
                asm.xaddMemReg(w, base, off, s); // s receives the old value, zero-extended when 32-bit
            }
            case ATOMIC_OR | ATOMIC_FETCH, ATOMIC_AND | ATOMIC_FETCH, ATOMIC_XOR | ATOMIC_FETCH -> arith.fetchLoop(atomicAlu(op & ~ATOMIC_FETCH), w,
                            base, off, s);
            case ATOMIC_XCHG -> {
                asm.lock();
                asm.xchgMemReg(w, base, off, s);
            }
            case ATOMIC_CMPXCHG -> {
                asm.lock();
                asm.cmpxchgMemReg(w, base, off, s);
                if (!w) {
                    asm.movRegReg(false, RAX, RAX); // r0 = old value zero-extended, also when the exchange happened
                }
            }
            default -> throw unsupported(insn, String.format("unknown atomic operation 0x%x", op));
        }
    }

    private static Alu atomicAlu(int op) {
        return switch (op) {
            case ATOMIC_ADD -> Alu.ADD;
            case ATOMIC_OR -> Alu.OR;
            case ATOMIC_AND -> Alu.AND;
            default -> Alu.XOR;
        };
    }

    // ---- lddw ----

    private void lowerLd(Instruction insn) {
        if (!insn.isWide()) {
            lowerPacketLoad(insn);
            return;
        }
        int d = ofBpf(insn.dst());
        switch (insn.src()) {
            case PSEUDO_NONE -> arith.movImm64(d, insn.imm64());
            case PSEUDO_FUNC -> {
                JitFunction callee = functionStartingAt(insn.localCallTarget());
                asm.leaRipRelative(d, prevFunctionStart[callee.id()] - previousPosition(asm.position() + 7));
            }
            case PSEUDO_MAP_FD, PSEUDO_MAP_IDX -> arith.movImm64(d, mapPointer(insn));
            case PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE -> {
                try {
                    arith.movImm64(d, maps.valuePointer(insn.imm(), insn.imm2()));
                } catch (IllegalArgumentException e) {
                    throw unsupported(insn, e.getMessage());
                }
            }
            default -> throw unsupported(insn, "unsupported lddw source " + insn.src());
        }
    }

    /**
     * LD_ABS / LD_IND: r0 = the big-endian 1, 2 or 4 bytes at packet offset imm (+ the source register, as a
     * 32-bit sum); an offset outside the run's packet ends the function with r0 = 0, as the interpreter does.
     */
    private void lowerPacketLoad(Instruction insn) {
        int size = sizeOf(insn);
        if (mode(insn.opcode()) == MODE_IND) {
            asm.movRegReg(false, SCRATCH, ofBpf(insn.src()));
            asm.aluRegImm(Alu.ADD, false, SCRATCH, insn.imm());
            asm.movsxRegReg(true, 4, SCRATCH, SCRATCH);
        } else {
            asm.movRegImm32SignExtended(SCRATCH, insn.imm());
        }
        asm.testRegReg(true, SCRATCH, SCRATCH);
        int negative = asm.jccForward8(X86Assembler.CC_S);
        asm.lea(AUX, SCRATCH, size);
        asm.aluRegMem(Alu.CMP, true, AUX, RUN_CONTEXT, NativeRunBlock.PACKET_LENGTH);
        int beyond = asm.jccForward8(X86Assembler.CC_A);
        asm.aluRegMem(Alu.ADD, true, SCRATCH, RUN_CONTEXT, NativeRunBlock.PACKET_START);
        asm.load(size, RAX, SCRATCH, 0);
        if (size == 2) {
            asm.rol16RegImm(RAX, 8);
        } else if (size == 4) {
            asm.bswap(false, RAX);
        }
        int done = asm.jmpForward8();
        asm.bindForward8(negative);
        asm.bindForward8(beyond);
        asm.aluRegReg(Alu.XOR, false, RAX, RAX);
        PrologueEmitter.emitEpilogue(asm, current);
        asm.bindForward8(done);
    }

    private long mapPointer(Instruction insn) {
        try {
            return maps.mapPointer(insn.imm());
        } catch (IllegalArgumentException e) {
            throw unsupported(insn, e.getMessage());
        }
    }

    private JitFunction functionStartingAt(int slot) {
        for (JitFunction f : functions) {
            if (f.start() == slot) {
                return f;
            }
        }
        throw new IllegalStateException("no function at slot " + slot);
    }

    // ---- jumps and calls ----

    private static int condition(int operation) {
        return switch (operation) {
            case JMP_JEQ -> X86Assembler.CC_E;
            case JMP_JNE, JMP_JSET -> X86Assembler.CC_NE;
            case JMP_JGT -> X86Assembler.CC_A;
            case JMP_JGE -> X86Assembler.CC_AE;
            case JMP_JLT -> X86Assembler.CC_B;
            case JMP_JLE -> X86Assembler.CC_BE;
            case JMP_JSGT -> X86Assembler.CC_G;
            case JMP_JSGE -> X86Assembler.CC_GE;
            case JMP_JSLT -> X86Assembler.CC_L;
            case JMP_JSLE -> X86Assembler.CC_LE;
            default -> throw new IllegalArgumentException("not a condition");
        };
    }

    private void lowerJump(Instruction insn) {
        int operation = insn.operation();
        if (operation == JMP_EXIT) {
            if (epilogue < 0) {
                epilogue = asm.position();
                PrologueEmitter.emitEpilogue(asm, current);
            } else {
                asm.jmpTo(epilogue);
            }
            return;
        }
        if (operation == JMP_CALL) {
            lowerCall(insn);
            return;
        }
        if (operation == JMP_JA) {
            branch(-1, insn.branchTarget());
            return;
        }
        boolean w = insn.instructionClass() == CLASS_JMP;
        boolean reg = source(insn.opcode()) == SRC_X;
        int d = ofBpf(insn.dst());
        if (operation == JMP_JSET) {
            if (reg) {
                asm.testRegReg(w, d, ofBpf(insn.src()));
            } else {
                asm.testRegImm(w, d, insn.imm());
            }
        } else {
            alu(Alu.CMP, w, reg, d, ofBpf(insn.src()), insn.imm());
        }
        branch(condition(operation), insn.branchTarget());
    }

    /** A jump to another BPF instruction (cc < 0: unconditional), measured with the previous pass's layout. */
    private void branch(int cc, int targetSlot) {
        int target = prevStart[targetSlot];
        int shortDisp = target - previousPosition(asm.position() + 2);
        if (X86Assembler.isShortJump(shortDisp)) {
            if (cc < 0) {
                asm.jmpRel8(shortDisp);
            } else {
                asm.jccRel8(cc, shortDisp);
            }
        } else if (cc < 0) {
            asm.jmpRel32(target - previousPosition(asm.position() + 5));
        } else {
            asm.jccRel32(cc, target - previousPosition(asm.position() + 6));
        }
    }

    private void lowerCall(Instruction insn) {
        if (insn.isCallx()) {
            lowerCallx(insn, ofBpf(insn.dst()));
        } else if (insn.isLocalCall()) {
            lowerLocalCall(insn);
        } else if (insn.imm() == Helper.TAIL_CALL.id()) {
            if (!current.tailCallReachable()) {
                throw unsupported(insn, "bpf_tail_call in a function the analysis did not mark tail call reachable");
            }
            TailCallSite site = directTailCalls.get(insn.index());
            if (site != null) {
                tailCalls.emitDirectTailCall(current, currentSlot, site);
            } else {
                tailCalls.emitIndirectTailCall(current);
            }
        } else if (inlineLookups.containsKey(insn.index())) {
            lowerArrayLookup(inlineLookups.get(insn.index()));
        } else if (helpers.has(insn.imm())) {
            if (insn.imm() == Helper.GET_STACKID.id() || insn.imm() == Helper.GET_STACK.id()) {
                recordStackSite(insn);
            }
            recordHelperCaller();
            spillBudget();
            asm.movRegImm64(AUX, helpers.address(insn.imm()));
            asm.callReg(AUX);
            reloadBudget();
            checkHelperFailure();
        } else {
            throw unsupported(insn, "call to helper " + insn.imm() + ", which this engine does not provide");
        }
    }

    /**
     * bpf_map_lookup_elem in an array map known at compile time ({@link InlineArrayLookups}), as the helper does
     * it: the helper's budget cost, then (checked mode) the 4-byte key at r2 must be readable, then r0 = the
     * value's address when the key is below max_entries, else 0. A refused key stops the run at the call, where
     * {@link NativeProgram} words it as the helper does. r1 to r5 keep their values (a call leaves them undefined).
     */
    private void lowerArrayLookup(ArrayMap map) {
        chargeBudget((int) HelperCost.ofBytes(map.keySize()));
        if (options.checked()) {
            emitAccessCheck(2, 0, 4, false);
        }
        int r0 = ofBpf(0);
        asm.load(4, r0, ofBpf(2), 0);
        asm.aluRegImm(Alu.CMP, false, r0, map.maxEntries());
        int outside = asm.jccForward8(X86Assembler.CC_AE);
        asm.imulRegRegImm(true, r0, r0, (int) map.valueStride());
        asm.movRegImm64(AUX, map.valueAddress(0));
        asm.aluRegReg(Alu.ADD, true, r0, AUX);
        int done = asm.jmpForward8();
        asm.bindForward8(outside);
        asm.aluRegReg(Alu.XOR, false, r0, r0);
        asm.bindForward8(done);
    }

    /** Both modes: where a call that may read the call chain is, for {@link NativeProgram#callChain}. */
    private void recordStackSite(Instruction insn) {
        asm.store(8, RUN_CONTEXT, NativeRunBlock.STACK_SITE_RBP, RBP);
        asm.storeImm(8, RUN_CONTEXT, NativeRunBlock.STACK_SITE, insn.index());
    }

    /** Checked mode: where the calling function's stack is, for helpers that check pointers into it. */
    private void recordHelperCaller() {
        if (!options.checked()) {
            return;
        }
        asm.store(8, RUN_CONTEXT, NativeRunBlock.HELPER_CALLER_RBP, RBP);
        asm.storeImm(8, RUN_CONTEXT, NativeRunBlock.HELPER_CALLER_STACK, current.roundedStackDepth());
    }

    /** Checked mode: a helper that failed (bad pointer argument, ...) stops the run at its call. */
    private void checkHelperFailure() {
        if (!options.checked()) {
            return;
        }
        asm.aluMemImm(Alu.CMP, true, RUN_CONTEXT, NativeRunBlock.ERROR_CODE, 0);
        callOnSlowPath(X86Assembler.CC_NE, stubs.helperFailed, false);
    }

    /** callx: the helper id is in a register; ids outside the table or without a helper stop the run. */
    private void lowerCallx(Instruction insn, int idRegister) {
        asm.movRegReg(true, SCRATCH, idRegister); // kept in r10: the error names the id
        asm.aluRegImm(Alu.CMP, true, SCRATCH, helpers.callxTableLength());
        int outOfRange = asm.jccForward8(X86Assembler.CC_AE);
        asm.movRegImm64(AUX, helpers.callxTableAddress());
        asm.loadIndexed64(AUX, AUX, SCRATCH, 8, 0);
        asm.testRegReg(true, AUX, AUX);
        int missing = asm.jccForward8(X86Assembler.CC_E);
        recordStackSite(insn);
        recordHelperCaller();
        spillBudget();
        asm.callReg(AUX);
        reloadBudget();
        checkHelperFailure();
        int done = asm.jmpForward8();
        asm.bindForward8(outOfRange);
        asm.bindForward8(missing);
        asm.callTo(stubs.unknownHelper);
        asm.bindForward8(done);
    }

    /**
     * Checked mode, after the kernel's prologue: r0, the callee-saved registers it pushed (BPF r6-r9) and the
     * whole BPF frame start at 0, as in the interpreter, so no read of an unwritten register or stack byte can
     * see what the caller or the JVM left there. A tail call enters after the first 11 bytes and so clears too.
     * Unchecked code clears the frame (only) of a function the verifier let read unwritten stack bytes, which
     * must read 0 there too; r0 is free at entry.
     */
    private void clearFrameOnEntry(JitFunction function) {
        boolean readsUnwrittenStack = program.isVerified()
                        && program.analysis().unwrittenStackReads().stream().anyMatch(function::contains);
        if (!options.checked() && !readsUnwrittenStack) {
            return;
        }
        asm.aluRegReg(Alu.XOR, false, RAX, RAX);
        if (options.checked()) {
            for (int register : function.usedCalleeSaved()) {
                asm.aluRegReg(Alu.XOR, false, register, register);
            }
        }
        int rsd = function.roundedStackDepth();
        if (rsd <= UNROLLED_CLEAR_BYTES) {
            for (int offset = 8; offset <= rsd; offset += 8) {
                asm.store(8, RBP, -offset, RAX);
            }
            return;
        }
        asm.lea(AUX, RBP, -rsd);
        int loop = asm.position();
        asm.store(8, AUX, 0, RAX);
        asm.aluRegImm(Alu.ADD, true, AUX, 8);
        asm.aluRegReg(Alu.CMP, true, AUX, RBP);
        asm.jccTo(X86Assembler.CC_B, loop);
    }

    private void lowerLocalCall(Instruction insn) {
        JitFunction callee = functionStartingAt(insn.localCallTarget());
        if (options.checked()) {
            // A runaway recursion must not exhaust the thread's stack: at most MAX_FRAMES nested calls (the
            // interpreter's limit: 8 frames for each of the 34 programs a chain of tail calls may pass).
            asm.aluMemImm(Alu.CMP, true, RUN_CONTEXT, NativeRunBlock.CALL_DEPTH, MAX_FRAMES - 1);
            callOnSlowPath(X86Assembler.CC_AE, stubs.callDepthExceeded, false);
            // Nor may it take the thread's stack into the JVM's guard and shadow zones (a small thread stack
            // fills up before MAX_FRAMES frames): a stack overflow then, as the interpreter reports it.
            asm.aluRegMem(Alu.CMP, true, RSP, RUN_CONTEXT, NativeRunBlock.STACK_LIMIT);
            callOnSlowPath(X86Assembler.CC_B, stubs.stackOverflow, false);
            // This frame's extent goes into the run block's table at the current depth, for the check stub.
            asm.load(8, AUX, RUN_CONTEXT, NativeRunBlock.CALL_DEPTH);
            asm.shiftRegImm(X86Assembler.Shift.SHL, true, AUX, 4);
            asm.aluRegReg(Alu.ADD, true, AUX, RUN_CONTEXT);
            asm.store(8, AUX, NativeRunBlock.FRAMES, RBP);
            asm.storeImm(8, AUX, NativeRunBlock.FRAMES + 8, current.roundedStackDepth());
            asm.aluMemImm(Alu.ADD, true, RUN_CONTEXT, NativeRunBlock.CALL_DEPTH, 1);
        }
        if (current.tailCallReachable()) {
            // 48 8B 85 disp32: the callee's push rax inherits the counter (rounded depth, kernel fix ff672c67ee76).
            asm.load64Disp32(RAX, RBP, PrologueEmitter.tailCallCounterOffset(current));
        }
        asm.callRel32(prevFunctionStart[callee.id()] - previousPosition(asm.position() + 5));
        if (options.checked()) {
            asm.aluMemImm(Alu.SUB, true, RUN_CONTEXT, NativeRunBlock.CALL_DEPTH, 1);
        }
    }

}
