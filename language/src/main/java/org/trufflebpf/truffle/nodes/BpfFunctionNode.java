package org.trufflebpf.truffle.nodes;

import static org.trufflebpf.model.Opcodes.*;

import java.util.Arrays;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.runtime.NativeMemory;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.RuntimeFault;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.LoadedProgram;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.truffle.BpfGuestException;
import org.trufflebpf.truffle.BpfLanguage;
import org.trufflebpf.truffle.DebugScope;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.CompilerAsserts;
import com.oracle.truffle.api.CompilerDirectives;
import com.oracle.truffle.api.CompilerDirectives.CompilationFinal;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.HostCompilerDirectives.BytecodeInterpreterSwitch;
import com.oracle.truffle.api.TruffleSafepoint;
import com.oracle.truffle.api.frame.Frame;
import com.oracle.truffle.api.frame.FrameDescriptor;
import com.oracle.truffle.api.frame.FrameSlotKind;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.BytecodeOSRNode;
import com.oracle.truffle.api.nodes.DirectCallNode;
import com.oracle.truffle.api.nodes.ExplodeLoop;
import com.oracle.truffle.api.nodes.LoopNode;
import com.oracle.truffle.api.nodes.RootNode;
import com.oracle.truffle.api.profiles.CountingConditionProfile;
import com.oracle.truffle.api.source.SourceSection;

/**
 * One BPF function: a bytecode loop over its pre-decoded code. The loop is unrolled by partial evaluation
 * ({@code MERGE_EXPLODE}) over a program counter that stays a compile-time constant, so compiled code has no
 * dispatch left; r0 to r10 live in static frame slots, plus one for this frame's tail-call counter.
 *
 * <p>Arguments: {@link RunState}, the call depth (frame number, which fixes r10), the tail-call counter this
 * frame starts with (by-value ABI), and whether a tail call entered it ({@link #CHAINED}); r1 to r5 come through
 * the run state ({@link RunState#callRegisters()}), which the caller fills just before the call. Result:
 * {@link #RESULT_IN_STATE}, r0 being in the run state. Nothing is boxed across a call, which matters where a call
 * is not inlined (recursion): a call boxed seven values before.
 *
 * <p>A tail call replaces the frame, as in the kernel: the function notes its target in the run state and
 * returns, and the function that began the chain enters the targets one after another in a loop. A chain of 33
 * programs is then one loop with each target inlined, not 33 nested calls past the inliner's recursion limit
 * (each with an argument array of its own).
 */
public final class BpfFunctionNode extends RootNode implements BytecodeOSRNode {
    public static final int ARG_STATE = 0;
    public static final int ARG_DEPTH = 1;
    public static final int ARG_TAIL_CALLS = 2;
    public static final int ARG_CHAINED = 3;
    public static final int ARG_COUNT = 4;

    /** {@link #ARG_CHAINED} of a function a tail call entered: it leaves its own tail call to the chain's loop. */
    static final Object CHAINED = Boolean.TRUE;
    static final Object NOT_CHAINED = Boolean.FALSE;

    /**
     * What every function returns: r0 is in the run state ({@link RunState#exitValue()}), so that no boxed r0 is
     * made per call or run.
     */
    public static final Object RESULT_IN_STATE = new Object() {
        @Override
        public String toString() {
            return "r0 in the run state";
        }
    };

    private static final int COUNTER_SLOT = REGISTER_COUNT;
    /** The run's remaining budget, kept in the frame (a register once compiled) and written back at calls and exits. */
    private static final int BUDGET_SLOT = REGISTER_COUNT + 1;
    /** The line the frame is in (its line node's index + 1, 0 for none); only instrumented code reads it. */
    private static final int LINE_SLOT = REGISTER_COUNT + 2;

    @CompilationFinal(dimensions = 1) private final Op[] code;
    /**
     * Per instruction, for conditional jumps only: how often each way was taken while interpreted, so that
     * compiled code lays out loops and branches by their real frequencies (null elsewhere).
     */
    @CompilationFinal(dimensions = 1) private final CountingConditionProfile[] branchProfiles;
    @Children private final DirectCallNode[] localCalls;
    @Children private final TailCallSlotNode[] tailCallSlots;
    /** Enters the tail calls of a chain this function begins; null when it makes none. */
    @Child private TailCallDispatchNode chainedCalls;
    @Children private final HelperCallNode[] helperCalls;
    @Children private final HelperCostNode[] helperCosts;
    /** What instruments wrap as the function's root; it runs the loop. */
    @Child private FunctionBodyNode body;
    /**
     * The line and call-site nodes (a child of {@link #body}), null until an instrument asks for statements or
     * calls: a constant null in uninstrumented compiled code, so that the loop's reports to it fold away.
     */
    @CompilationFinal private LineProbes lineProbes;
    /** The nodes {@link #lineProbes} gets when it is inserted. */
    private final LineSites lineSites;
    private final SourceSection section;
    private final String file;
    private final String functionName;
    /** Bytes of stack below r10 this function may use ({@link org.trufflebpf.runtime.StackFrames#frameSize}). */
    private final int frameSize;
    /**
     * How tail calls count, fixed when the function is built so that compiled code has one ABI's sequence and
     * no test: a program runs under the other ABI through other call targets (see {@link EntryTargets}).
     */
    private final TailCallAbi tailCallAbi;
    /**
     * Whether the function enters its frame into the run's table of active frames (and a call takes the callee's
     * out again): false for the subprograms of a program whose run-time checks never meet a stack pointer
     * (ProgramBuilder.tracksFrames).
     */
    private final boolean tracksFrames;
    @CompilationFinal private Object osrMetadata;

    /** A function's line nodes and call-site nodes, indexed by {@link Op#lineProbe} and {@link Op#callProbe}. */
    record LineSites(LineNode[] lines, LineNode[] calls) {
        boolean isEmpty() {
            return lines.length == 0 && calls.length == 0;
        }
    }

    BpfFunctionNode(BpfLanguage language, Op[] code, int localCallSites, int tailCallSites, int helperCallSites, String file, String functionName,
                    int frameSize, TailCallAbi tailCallAbi, boolean tracksFrames, int cpu, MapSet maps, SourceSection section, LineSites lineSites) {
        super(language, frameDescriptor());
        this.code = code;
        this.branchProfiles = branchProfiles(code);
        this.section = section;
        this.lineSites = lineSites;
        this.body = new FunctionBodyNode(this);
        this.localCalls = new DirectCallNode[localCallSites];
        this.tailCallSlots = new TailCallSlotNode[tailCallSites];
        for (int i = 0; i < tailCallSites; i++) {
            tailCallSlots[i] = TailCallSlotNode.create(maps);
        }
        this.chainedCalls = tailCallSites == 0 ? null : TailCallDispatchNode.create();
        this.helperCalls = new HelperCallNode[helperCallSites];
        this.helperCosts = new HelperCostNode[helperCallSites];
        for (int i = 0; i < helperCallSites; i++) {
            helperCalls[i] = HelperCallNode.create(cpu, frameSize);
            helperCosts[i] = HelperCostNode.create();
        }
        this.file = file;
        this.functionName = functionName;
        this.frameSize = frameSize;
        this.tailCallAbi = tailCallAbi;
        this.tracksFrames = tracksFrames;
    }

    private static CountingConditionProfile[] branchProfiles(Op[] code) {
        CountingConditionProfile[] profiles = new CountingConditionProfile[code.length];
        for (int pc = 0; pc < code.length; pc++) {
            int kind = code[pc].kind;
            int cls = kind & 0x07;
            if (kind < Op.HELPER_CALL && (cls == CLASS_JMP || cls == CLASS_JMP32) && kind != EXIT && kind != JA && kind != JA32) {
                profiles[pc] = CountingConditionProfile.create();
            }
        }
        return profiles;
    }

    private static FrameDescriptor frameDescriptor() {
        FrameDescriptor.Builder builder = FrameDescriptor.newBuilder();
        builder.addSlots(REGISTER_COUNT + 3, FrameSlotKind.Static);
        return builder.build();
    }

    /** Wires the bpf-to-bpf call sites once every function of the program has its call target. */
    void linkCalls(CallTarget[] functions) {
        for (Op op : code) {
            if (op.kind == Op.LOCAL_CALL) {
                localCalls[op.site] = insert(DirectCallNode.create(functions[op.target]));
            }
        }
    }

    @Override
    public String getName() {
        return functionName;
    }

    @Override
    public String toString() {
        return "bpf " + functionName;
    }

    @Override
    public SourceSection getSourceSection() {
        return section;
    }

    /** The line and call-site nodes the function body inserts when an instrument asks for them, or null if none. */
    LineProbes newLineProbes() {
        return lineSites.isEmpty() ? null : new LineProbes(lineSites.lines(), lineSites.calls(), LINE_SLOT);
    }

    /**
     * From now on the loop reports lines and calls to {@code probes}. Compiled code that assumed none is
     * invalidated when instruments put their wrappers in place of the line nodes.
     */
    void useLineProbes(LineProbes probes) {
        lineProbes = probes;
    }

    /**
     * The C line {@code frame} is in, or null when none is known: read by the line sampler at a safepoint, and
     * kept only while an instrument has the line nodes inserted (otherwise the slot stays 0).
     */
    public SourceSection currentLine(Frame frame) {
        long current = frame.getLongStatic(LINE_SLOT);
        LineNode[] lines = lineSites.lines();
        return current > 0 && current <= lines.length ? lines[(int) current - 1].getSourceSection() : null;
    }

    /** The debugger's view of a paused activation: registers, stack frame and maps (the scope copies them). */
    Object scope(Frame frame) {
        long[] registers = new long[REGISTER_COUNT];
        for (int r = 0; r < REGISTER_COUNT; r++) {
            registers[r] = frame.getLongStatic(r);
        }
        RunState state = (RunState) frame.getArguments()[ARG_STATE];
        return DebugScope.of(functionName, registers, frameSize, state.maps());
    }

    @Override
    public Object execute(VirtualFrame frame) {
        Object[] args = frame.getArguments();
        RunState state = (RunState) args[ARG_STATE];
        for (int r = 0; r < REGISTER_COUNT; r++) {
            frame.setLongStatic(r, 0L);
        }
        long[] callRegisters = state.callRegisters();
        frame.setLongStatic(1, callRegisters[0]);
        frame.setLongStatic(2, callRegisters[1]);
        frame.setLongStatic(3, callRegisters[2]);
        frame.setLongStatic(4, callRegisters[3]);
        frame.setLongStatic(5, callRegisters[4]);
        frame.setLongStatic(FRAME_POINTER, enterFrame(state, (int) args[ARG_DEPTH], frameSize, tracksFrames));
        frame.setLongStatic(COUNTER_SLOT, (int) args[ARG_TAIL_CALLS]);
        frame.setLongStatic(BUDGET_SLOT, state.remainingBudget());
        // The body gives r0 as a Long, which instruments wrapped around it may see (a debugger shows it as the
        // return value); it goes out through the run state, so the box never leaves the function's compiled code.
        Object result = body.execute(frame);
        if (result instanceof Long r0) {
            state.setExitValue(r0);
        }
        if (chainedCalls != null && args[ARG_CHAINED] != CHAINED) {
            enterTailCalls(state, args[ARG_DEPTH]);
        }
        return RESULT_IN_STATE;
    }

    /**
     * Enters the tail call the body made, if any, then each one its target makes, until a target returns: every
     * target at this function's depth, its r0 the chain's result. The counter bounds the chain.
     */
    private void enterTailCalls(RunState state, Object depth) {
        Object target;
        while ((target = state.takePendingTailCall()) != null) {
            chainedCalls.execute((CallTarget) target, new Object[] {state, depth, state.pendingTailCallCounter(), CHAINED});
        }
    }

    /** The loop from the first instruction: what the function body does, inside whatever wraps it. */
    Object runFromEntry(VirtualFrame frame) {
        return run(frame, 0);
    }

    @Override
    public Object executeOSR(VirtualFrame osrFrame, int target, Object interpreterState) {
        return run(osrFrame, target);
    }

    /** OSR frames keep our arguments (run state, depth, counter) and carry the parent frame after them. */
    @Override
    public Object[] storeParentFrameInArguments(VirtualFrame parentFrame) {
        Object[] arguments = parentFrame.getArguments();
        Object[] withParent = Arrays.copyOf(arguments, ARG_COUNT + 1);
        withParent[ARG_COUNT] = parentFrame;
        return withParent;
    }

    /**
     * Nothing to copy back: an OSR execution runs the function to its exit, and the parent returns its result
     * without reading its frame again. (The default copy would also leave compiled code on every return.)
     */
    @Override
    public void restoreParentFrame(VirtualFrame osrFrame, VirtualFrame parentFrame) {
    }

    @Override
    public Frame restoreParentFrameFromArguments(Object[] arguments) {
        return (Frame) arguments[ARG_COUNT];
    }

    @Override
    public Object getOSRMetadata() {
        return osrMetadata;
    }

    @Override
    public void setOSRMetadata(Object osrMetadata) {
        this.osrMetadata = osrMetadata;
    }

    /** Frames up to this many bytes are cleared in the function's compiled code, a word store each. */
    private static final int SMALL_FRAME = 64;

    /**
     * Enters the function's frame at {@code depth} (see {@link RunState#enterFrame}). A small frame is cleared by
     * stores partial evaluation unrolls ({@code frameSize} is a constant), with no call; a larger one behind a
     * boundary, where the clearing is a memset that HotSpot compiles well (partial evaluation of the
     * memory-segment fill gives up on its layout recursion and leaves the whole function uncompiled).
     */
    private static long enterFrame(RunState state, int depth, int frameSize, boolean tracked) {
        if (frameSize > SMALL_FRAME) {
            return enterLargeFrame(state, depth, frameSize, tracked);
        }
        long top = state.frameTop(depth);
        clearSmallFrame(top - frameSize, frameSize);
        if (tracked) {
            state.stackFrames().enter(depth, top, frameSize);
        }
        return top;
    }

    @ExplodeLoop
    private static void clearSmallFrame(long address, int size) {
        int words = size / 8;
        for (int i = 0; i < words; i++) {
            NativeMemory.writeU64(address + 8L * i, 0);
        }
        for (int i = words * 8; i < size; i++) {
            NativeMemory.writeU8(address + i, 0);
        }
    }

    @TruffleBoundary
    private static long enterLargeFrame(RunState state, int depth, int frameSize, boolean tracked) {
        return state.enterFrame(depth, frameSize, tracked);
    }

    private static long reg(VirtualFrame frame, int r) {
        return frame.getLongStatic(r);
    }

    private static void setReg(VirtualFrame frame, int r, long value) {
        frame.setLongStatic(r, value);
    }

    @BytecodeInterpreterSwitch
    @ExplodeLoop(kind = ExplodeLoop.LoopExplosionKind.MERGE_EXPLODE)
    private Object run(VirtualFrame frame, int startPc) {
        RunState state = (RunState) frame.getArguments()[ARG_STATE];
        int pc = startPc;
        // An object, not an int local: a counting local would be a new constant in every unrolled iteration.
        LoopCounter backEdges = new LoopCounter();
        while (true) {
            CompilerAsserts.partialEvaluationConstant(pc);
            Op op = code[pc];
            if (op.lineProbe >= 0 && lineProbes != null) {
                lineProbes.enterLine(frame, op.lineProbe);
            }
            if (op.blockLength != 0) {
                long remaining = reg(frame, BUDGET_SLOT) - op.blockLength;
                if (remaining < 0) {
                    CompilerDirectives.transferToInterpreter();
                    state.setRemainingBudget(reg(frame, BUDGET_SLOT));
                    throw error(BpfError.Kind.BUDGET, op, state.budgetMessage());
                }
                setReg(frame, BUDGET_SLOT, remaining);
            }
            int kind = op.kind;
            int next = pc + 1;
            if (kind >= Op.HELPER_CALL) {
                if (op.callProbe >= 0 && lineProbes != null) {
                    lineProbes.enterCall(frame, op.callProbe);
                }
                switch (kind) {
                    case Op.HELPER_CALL:
                        setReg(frame, 0, callHelper(frame, state, op, op.imm));
                        break;
                    case Op.HELPER_CALLX:
                        setReg(frame, 0, callHelper(frame, state, op, reg(frame, op.dst)));
                        break;
                    case Op.LOCAL_CALL:
                        state.setRemainingBudget(reg(frame, BUDGET_SLOT));
                        setReg(frame, 0, callLocal(frame, op));
                        setReg(frame, BUDGET_SLOT, state.remainingBudget());
                        break;
                    case Op.TAIL_CALL: {
                        state.setRemainingBudget(reg(frame, BUDGET_SLOT));
                        if (tailCall(frame, state, op)) {
                            reportLoops(backEdges);
                            leaveLine(frame);
                            // The frame ends here; the target, entered by the chain's loop, gives the run's r0.
                            return state.exitValue();
                        }
                        setReg(frame, BUDGET_SLOT, state.remainingBudget());
                        break;
                    }
                    default:
                        throw CompilerDirectives.shouldNotReachHere();
                }
                if (op.callProbe >= 0 && lineProbes != null) {
                    lineProbes.returnFromCall(frame, op.callProbe, reg(frame, 0));
                }
                pc = next;
                continue;
            }
            switch (kind & 0x07) {
                case CLASS_ALU64: {
                    long b = source(kind) == SRC_X ? reg(frame, op.src) : op.imm;
                    setReg(frame, op.dst, Alu.alu64(kind, reg(frame, op.dst), b, op.offset, (int) op.imm));
                    pc = next;
                    break;
                }
                case CLASS_ALU: {
                    long b = source(kind) == SRC_X ? reg(frame, op.src) : op.imm;
                    setReg(frame, op.dst, Alu.alu32(kind, reg(frame, op.dst), b, op.offset, (int) op.imm));
                    pc = next;
                    break;
                }
                case CLASS_JMP:
                case CLASS_JMP32: {
                    if (kind == EXIT) {
                        state.setRemainingBudget(reg(frame, BUDGET_SLOT));
                        reportLoops(backEdges);
                        leaveLine(frame);
                        return reg(frame, 0);
                    }
                    boolean taken;
                    if (kind == JA || kind == JA32) {
                        taken = true;
                    } else {
                        long b = source(kind) == SRC_X ? reg(frame, op.src) : op.imm;
                        taken = branchProfiles[pc].profile(
                                        (kind & 0x07) == CLASS_JMP ? Alu.compare64(kind, reg(frame, op.dst), b) : Alu.compare32(kind, (int) reg(frame, op.dst), (int) b));
                    }
                    if (taken) {
                        if (op.target <= pc) {
                            backEdges.count++;
                            TruffleSafepoint.poll(this);
                            if (CompilerDirectives.inInterpreter() && BytecodeOSRNode.pollOSRBackEdge(this, 1)) {
                                Object result = BytecodeOSRNode.tryOSR(this, op.target, null, null, frame);
                                if (result != null) {
                                    // The OSR frame, a copy of this one, left the line itself.
                                    reportLoops(backEdges);
                                    return result;
                                }
                            }
                        }
                        pc = op.target;
                    } else {
                        pc = next;
                    }
                    break;
                }
                case CLASS_LDX: {
                    int size = sizeBytes(size(kind));
                    long address = checkedAddress(frame, state, op, op.src, size, false);
                    long value = mode(kind) == MODE_MEMSX ? readSigned(address, size) : NativeMemory.read(address, size);
                    setReg(frame, op.dst, value);
                    pc = next;
                    break;
                }
                case CLASS_ST: {
                    int size = sizeBytes(size(kind));
                    NativeMemory.write(checkedAddress(frame, state, op, op.dst, size, true), size, op.imm);
                    pc = next;
                    break;
                }
                case CLASS_STX: {
                    int size = sizeBytes(size(kind));
                    long address = checkedAddress(frame, state, op, op.dst, size, true);
                    if (mode(kind) == MODE_ATOMIC) {
                        atomic(frame, state, op, address, size == 8);
                    } else {
                        NativeMemory.write(address, size, reg(frame, op.src));
                    }
                    pc = next;
                    break;
                }
                case CLASS_LD: {
                    if (kind == LDDW) {
                        setReg(frame, op.dst, op.imm);
                    } else {
                        // LD_ABS / LD_IND: a big-endian packet read; out of bounds ends the function with 0.
                        long offset = mode(kind) == MODE_IND ? (int) (reg(frame, op.src) + op.imm) : op.imm;
                        int size = sizeBytes(size(kind));
                        if (offset < 0 || offset + size > state.packetLength()) {
                            state.setRemainingBudget(reg(frame, BUDGET_SLOT));
                            reportLoops(backEdges);
                            leaveLine(frame);
                            return 0L;
                        }
                        setReg(frame, 0, NativeMemory.readBigEndian(state.packetStart() + offset, size));
                    }
                    pc = next;
                    break;
                }
                default:
                    throw CompilerDirectives.shouldNotReachHere();
            }
        }
    }

    /** An instrumented frame leaves its current line as the function returns. */
    private void leaveLine(VirtualFrame frame) {
        if (lineProbes != null) {
            lineProbes.leaveLine(frame);
        }
    }

    private void reportLoops(LoopCounter backEdges) {
        if (CompilerDirectives.hasNextTier() && backEdges.count > 0) {
            LoopNode.reportLoopCount(this, backEdges.count);
        }
    }

    /** Back-edges taken in one activation, reported to the runtime as loop iterations when it returns. */
    private static final class LoopCounter {
        int count;
    }

    private static long readSigned(long address, int size) {
        return switch (size) {
            case 1 -> NativeMemory.readS8(address);
            case 2 -> NativeMemory.readS16(address);
            case 4 -> NativeMemory.readS32(address);
            default -> NativeMemory.readU64(address);
        };
    }

    /** The address {@code base + offset} a load or store touches, once the run may touch its {@code size} bytes. */
    private long checkedAddress(VirtualFrame frame, RunState state, Op op, int base, int size, boolean write) {
        long address = reg(frame, base) + op.offset;
        if (op.unchecked) {
            // Inside the current frame through r10 (read-only), or proven in its region by the verifier.
            return address;
        }
        if (!state.regions().allows(address, size, write)) {
            CompilerDirectives.transferToInterpreter();
            throw error(BpfError.Kind.RUNTIME, op, state.regions().describeViolation(address, size, write));
        }
        return address;
    }

    private void atomic(VirtualFrame frame, RunState state, Op op, long address, boolean wide) {
        if ((address & (wide ? 7 : 3)) != 0) {
            CompilerDirectives.transferToInterpreter();
            throw error(BpfError.Kind.RUNTIME, op, String.format("misaligned atomic access at 0x%x", address));
        }
        long value = reg(frame, op.src);
        int operation = (int) op.imm;
        long old;
        switch (operation & ~ATOMIC_FETCH) {
            case ATOMIC_ADD -> old = NativeMemory.atomicAdd(address, wide, value);
            case ATOMIC_OR -> old = NativeMemory.atomicOr(address, wide, value);
            case ATOMIC_AND -> old = NativeMemory.atomicAnd(address, wide, value);
            case ATOMIC_XOR -> old = NativeMemory.atomicXor(address, wide, value);
            case ATOMIC_XCHG & ~ATOMIC_FETCH -> old = NativeMemory.atomicExchange(address, wide, value);
            case ATOMIC_CMPXCHG & ~ATOMIC_FETCH -> {
                long expected = reg(frame, 0);
                old = NativeMemory.atomicCompareExchange(address, wide, wide ? expected : expected & 0xffffffffL, value);
                setReg(frame, 0, old);
                return;
            }
            default -> throw CompilerDirectives.shouldNotReachHere();
        }
        if ((operation & ATOMIC_FETCH) != 0) {
            setReg(frame, op.src, old);
        }
    }

    private long callHelper(VirtualFrame frame, RunState state, Op op, long id) {
        // The helper's cost is charged to the run's budget before it runs; one it cannot pay for does no work.
        long cost = helperCosts[op.site].execute(state, id, reg(frame, 1), reg(frame, 2), reg(frame, 3), reg(frame, 4));
        long budget = reg(frame, BUDGET_SLOT);
        if (budget < cost) {
            CompilerDirectives.transferToInterpreter();
            state.setRemainingBudget(budget);
            throw error(BpfError.Kind.BUDGET, op, state.budgetMessage());
        }
        setReg(frame, BUDGET_SLOT, budget - cost);
        // The run's own count stays current for the helper (as native code stores its register before a call).
        state.setRemainingBudget(budget - cost);
        // For bpf_get_stackid and bpf_get_stack: where in the call chain this call is.
        state.callChain().note((int) frame.getArguments()[ARG_DEPTH], op.insn.index());
        try {
            return helperCalls[op.site].execute(state, reg(frame, FRAME_POINTER), id, reg(frame, 1), reg(frame, 2), reg(frame, 3), reg(frame, 4), reg(frame, 5));
        } catch (RuntimeFault fault) {
            CompilerDirectives.transferToInterpreter();
            throw error(BpfError.Kind.RUNTIME, op, fault.getMessage());
        }
    }

    private long callLocal(VirtualFrame frame, Op op) {
        Object[] args = frame.getArguments();
        int depth = (int) args[ARG_DEPTH] + 1;
        if (depth >= RunState.MAX_FRAMES) {
            CompilerDirectives.transferToInterpreter();
            throw error(BpfError.Kind.RUNTIME, op, "call nesting exceeds " + RunState.MAX_FRAMES + " frames");
        }
        RunState state = (RunState) args[ARG_STATE];
        CompilerAsserts.partialEvaluationConstant(tailCallAbi);
        int counter = tailCallAbi == TailCallAbi.COUNTER_BY_VALUE ? (int) reg(frame, COUNTER_SLOT) : 0;
        state.callChain().note(depth - 1, op.insn.index());
        state.setCallRegisters(reg(frame, 1), reg(frame, 2), reg(frame, 3), reg(frame, 4), reg(frame, 5));
        localCalls[op.site].call(state, depth, counter, NOT_CHAINED);
        if (tracksFrames || op.target == 0) {
            // The callee's frame leaves the table (the entry function, called again, entered it in any case).
            state.resumeFrame(depth - 1);
        }
        return state.exitValue();
    }

    /**
     * bpf_tail_call(ctx, prog_array, index): true when the call is made (its target noted in the run state for
     * the chain's loop to enter), false when it falls through.
     */
    private boolean tailCall(VirtualFrame frame, RunState state, Op op) {
        long index = reg(frame, 3) & 0xffffffffL;
        Object slot = tailCallSlots[op.site].execute(state, reg(frame, 2), index);
        if (slot == TailCallSlotNode.NOT_A_PROG_ARRAY) {
            CompilerDirectives.transferToInterpreter();
            throw error(BpfError.Kind.RUNTIME, op, "tail_call: r2 is not a prog array");
        }
        if (slot == TailCallSlotNode.OUT_OF_RANGE) {
            return false;
        }
        LoadedProgram target = slot == TailCallSlotNode.EMPTY ? null : (LoadedProgram) slot;
        int nextCounter;
        CompilerAsserts.partialEvaluationConstant(tailCallAbi);
        if (tailCallAbi == TailCallAbi.COUNTER_BY_VALUE) {
            long counter = reg(frame, COUNTER_SLOT);
            if (counter > MAX_TAIL_CALL_CNT - 1) {
                return false;
            }
            // The seed ABI counts before looking at the slot, so a call to an empty slot also counts.
            setReg(frame, COUNTER_SLOT, counter + 1);
            if (target == null) {
                return false;
            }
            nextCounter = (int) counter + 1;
        } else {
            int counter = state.sharedTailCalls();
            if (counter > MAX_TAIL_CALL_CNT - 1) {
                return false;
            }
            if (target == null) {
                return false;
            }
            state.setSharedTailCalls(counter + 1);
            nextCounter = 0;
        }
        if (!(target instanceof TailCallTarget program)) {
            CompilerDirectives.transferToInterpreter();
            throw error(BpfError.Kind.RUNTIME, op, "tail_call: slot " + index + " holds a program this engine cannot run");
        }
        if (program.maps() != state.maps()) {
            HelperCalls.includeMaps(state, program.maps());
        }
        state.setCallRegisters(reg(frame, 1), reg(frame, 2), reg(frame, 3), reg(frame, 4), reg(frame, 5));
        state.setPendingTailCall(program.entryTarget(tailCallAbi), nextCounter);
        return true;
    }

    private BpfGuestException error(BpfError.Kind kind, Op op, String reason) {
        return BpfGuestException.of(BpfError.at(kind, file, functionName, op.insn, reason).from(op.line), this);
    }
}
