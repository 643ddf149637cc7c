package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.GracePeriod;
import org.trufflebpf.runtime.HelperBudgetExhausted;
import org.trufflebpf.runtime.NativeMemory;
import org.trufflebpf.runtime.RepeatedInput;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.StackFrames;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.LoadedProgram;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;

/**
 * A compiled program placed in executable memory, run through an FFM downcall into its entry trampoline within
 * a run of the shared runtime ({@link RunState}); a runtime prog array slot may hold it directly. Runs on several
 * threads at once are fine: each run has its own {@link NativeRunBlock}.
 */
public final class NativeProgram implements LoadedProgram, AutoCloseable {
    private static final FunctionDescriptor ENTRY = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    /** Loaded code: its image, and the program while someone holds it. */
    private record Loaded(NativeImage image, WeakReference<NativeProgram> program) {
    }

    /**
     * Loaded code by address, to name the instruction of an error raised in a tail-call target and to find the
     * module a tail call entered. It holds programs weakly, so a program whose module nobody holds can be freed.
     */
    private static final ConcurrentSkipListMap<Long, Loaded> LOADED = new ConcurrentSkipListMap<>();

    private final NativeImage image;
    private final CodeMemory memory;
    private final MethodHandle entry;
    /**
     * Whether runs enter through a critical downcall (no switch of the thread's state into native and back):
     * only for code that cannot call back into Java and ends soon whatever it does (see {@link #callsNoHost}).
     */
    private final boolean critical;
    /** The runs of the program's context: runs of this code enter it, and freeing the code waits for them. */
    private final GracePeriod gracePeriod;
    /** The prog arrays whose slots this code's direct tail calls jump through. */
    private final List<DirectTailCalls> directSites = new ArrayList<>();
    private final Runnable releaser;
    /** The runtime's maps of the program's module: a run that enters this code from another module adds them. */
    private final MapSet maps;

    NativeProgram(NativeImage image, MapSet maps) {
        this.gracePeriod = maps.runtime().gracePeriod();
        this.image = image;
        this.maps = maps;
        this.memory = CodeMemory.allocate(image.code().length);
        memory.write(0, image.code());
        if (image.pokes().isEmpty()) {
            memory.sealWrites(); // nothing will ever patch this code
        }
        this.critical = callsNoHost(image);
        this.repeatsInNativeLoop = callsNoHelper(image);
        MemorySegment trampoline = MemorySegment.ofAddress(memory.address() + image.entryTrampoline());
        this.entry = critical ? Linker.nativeLinker().downcallHandle(trampoline, ENTRY, Linker.Option.critical(false))
                        : Linker.nativeLinker().downcallHandle(trampoline, ENTRY);
        Loaded loaded = new Loaded(image, new WeakReference<>(this));
        LOADED.put(memory.address(), loaded);
        this.releaser = releaserOf(memory, loaded);
        for (PokeDescriptor poke : image.pokes()) {
            DirectTailCalls sites = DirectTailCalls.of((ProgArray) maps.get(poke.mapIndex()), gracePeriod);
            sites.register(this, poke);
            if (!directSites.contains(sites)) {
                directSites.add(sites);
            }
        }
    }

    /**
     * Whether the code of {@code image} can run inside a critical downcall, where it must never call into Java
     * (the JVM forbids upcalls there) and must end soon (the thread holds off the JVM's safepoints meanwhile):
     * true when it makes no call at all (no helper, so no Java, but for the lookups it does itself,
     * {@link InlineArrayLookups}; no tail call, so no other module's code; no bpf-to-bpf call, so no recursion)
     * and jumps only forward, so a run executes each instruction at most once.
     * Its run then polls no host (nothing to wait for) and its region table holds every region it can ever have,
     * so a miss there is a refusal without the Java slow check ({@link NativeRunBlock#start}).
     */
    static boolean callsNoHost(NativeImage image) {
        if (!callsNoHelper(image)) {
            return false;
        }
        for (Instruction insn : image.program().code()) {
            if (insn.isLocalCall() || insn.isBranch() && insn.branchTarget() <= insn.index()) {
                return false;
            }
        }
        return true;
    }

    /** Whether runs enter through a critical downcall ({@link #callsNoHost}). */
    boolean criticalEntry() {
        return critical;
    }

    /** Where tail calls and prog array slots point: the entry function's first byte. */
    public long entryAddress() {
        return memory.address() + image.functionStart()[0];
    }

    @Override
    public String name() {
        return image.program().name();
    }

    /** What a runtime prog array slot holding this program gives native tail calls. */
    @Override
    public long nativeEntry() {
        return entryAddress();
    }

    CodeMemory code() {
        return memory;
    }

    public long codeBytes() {
        return memory.size();
    }

    public NativeImage image() {
        return image;
    }

    /** The code as it is in executable memory now, patched poke sites included. */
    public byte[] liveCode() {
        return MemorySegment.ofAddress(codeAddress()).reinterpret(image().code().length).toArray(JAVA_BYTE);
    }

    /** Address of the executable code (offsets of {@link #image()} are relative to it). */
    public long codeAddress() {
        return memory.address();
    }

    /**
     * Runs the program once on the current thread within {@code state}, which must be the thread's current run
     * ({@link RunState#enter()}): native code works on its memory regions, budget, packet and shared tail-call
     * counter, and helpers find it as the interpreter's do. Returns r0; errors are {@link BpfError}s placed at
     * their instruction, budget exhaustion of kind BUDGET. The code serves only the ABI it was compiled for.
     */
    public long run(RunState state, long r1, long r2) {
        checkAbi(state);
        NativeRunBlock context = NativeRunBlock.acquire(state, critical);
        try {
            NativeRunBlock previous = begin(state, context);
            long result;
            try {
                result = (long) entry.invokeExact(r1, r2, context.address());
            } catch (Throwable t) {
                throw new IllegalStateException("native entry failed", t);
            } finally {
                end(context, previous);
            }
            return outcome(context, result);
        } finally {
            context.release();
        }
    }

    /** The code serves only the tail-call ABI it was compiled for. */
    private void checkAbi(RunState state) {
        TailCallAbi abi = image.options().tailCallAbi();
        if (state.options().tailCallAbi() != abi) {
            throw new IllegalArgumentException("the program was compiled for the " + abi.optionName() + " tail-call ABI only");
        }
    }

    /**
     * Enters native code's part of a run in {@code context}: the run joins the grace period of the program's context,
     * starts in the program's module, walks the machine stack for call chains, and the block becomes the thread's
     * current one. Returns the block it replaced, for {@link #end}.
     */
    private NativeRunBlock begin(RunState state, NativeRunBlock context) {
        context.enterGracePeriod(gracePeriod.ofCurrentThread());
        context.setModule(moduleId(maps));
        state.callChain().useWalker(NativeProgram::callChain);
        return context.enter();
    }

    /** Leaves what {@link #begin} entered, and gives the state the budget and tail calls the code left. */
    private static void end(NativeRunBlock context, NativeRunBlock previous) {
        context.leave(previous);
        context.exitGracePeriod();
        context.writeBackToRunState();
    }

    /** r0 of the run that just ended in {@code context}, or the error that ended it, thrown. */
    private long outcome(NativeRunBlock context, long result) {
        if (context.errorCode() == NativeRunBlock.ERROR_CANCELLED) {
            context.takeFailure();
            throw stopped(context.stopCause());
        }
        if (context.errorCode() == NativeRunBlock.ERROR_STACK_OVERFLOW) {
            context.takeFailure();
            // Where the interpreter's recursion meets the JVM's own limit, a StackOverflowError as the JVM
            // throws it (no message), so that both engines end the same way; the native code stopped before the
            // guard pages instead of crashing on them.
            throw new StackOverflowError();
        }
        Throwable helperFailure = context.takeFailure();
        if (context.errorCode() == NativeRunBlock.ERROR_HELPER && context.read(NativeRunBlock.FAULT_RIP) != 0) {
            throw errorOf(context, helperFailure);
        }
        if (helperFailure != null) {
            // Unchecked code does not stop at a failing helper: report it after the run.
            throw new BpfError(BpfError.Kind.RUNTIME, image.program().sourceName(), "helper failed: " + reasonOf(helperFailure));
        }
        if (context.errorCode() != NativeRunBlock.ERROR_NONE) {
            throw errorOf(context, null);
        }
        return result;
    }

    /**
     * Whether runs of this code may repeat in the native loop ({@link RepeatLoop}): no run of it calls Java but to
     * check an access or poll the host, so it changes nothing the loop does not put back. It calls no helper but
     * the lookups it does itself and makes no callx (so no tail call either: that is a helper call).
     */
    private final boolean repeatsInNativeLoop;

    private static boolean callsNoHelper(NativeImage image) {
        // The lookups the code itself does, as the lowering decided them for this very image.
        Set<Integer> inlined = image.inlinedLookups();
        for (Instruction insn : image.program().code()) {
            // Every call but a bpf-to-bpf one goes to the host (a helper, or anything else a call may name).
            if (insn.opcode() == Opcodes.CALL && !insn.isLocalCall() && !inlined.contains(insn.index()) || insn.isCallx()) {
                return false;
            }
        }
        return true;
    }

    boolean repeatsInNativeLoop() {
        return repeatsInNativeLoop;
    }

    /** Runs one loop asks for at most: each loop holds the grace period (as the kernel's repeat holds RCU), so not for long. */
    private static final long RUNS_PER_LOOP = 1 << 14;

    long runRepeated(RunState state, RepeatedInput again, long times) {
        checkAbi(state);
        if (!repeatsInNativeLoop) {
            throw new IllegalArgumentException("the program calls the host, so it cannot repeat in the native loop");
        }
        long left = times;
        long result = 0;
        while (left > 0) {
            // Not critical: the loop is a plain downcall, so the block's cancel flag and slow check are the run's own.
            NativeRunBlock context = NativeRunBlock.acquire(state, false);
            try {
                NativeRunBlock previous = begin(state, context);
                long done;
                try {
                    done = context.repeat(memory.address() + image.entryTrampoline(), state.entryR1(), state.entryR2(), again,
                                    Math.min(left, RUNS_PER_LOOP), moduleId(maps), state.options().instructionLimit(), state.cancelFlagAddress());
                    result = context.repeatedR0();
                } finally {
                    end(context, previous);
                }
                result = outcome(context, result);
                left -= done;
            } finally {
                context.release();
            }
            if (left > 0) {
                // The loop stopped for the cancel flag: the host acts (and may end the batch) before the rest.
                state.pollHost();
            }
        }
        return result;
    }

    /** The host's exception that stopped the run (Truffle's cancel or interrupt), as it was thrown. */
    private static RuntimeException stopped(Throwable cause) {
        if (cause instanceof RuntimeException e) {
            throw e;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native run stopped by the host", cause);
    }

    private static String reasonOf(Throwable failure) {
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }

    private BpfError errorOf(NativeRunBlock context, Throwable helperFailure) {
        // The fault may lie in a tail-call target: find the image that holds the address.
        Map.Entry<Long, Loaded> holder = LOADED.floorEntry(context.read(NativeRunBlock.FAULT_RIP) - 1);
        boolean inHolder = holder != null && context.read(NativeRunBlock.FAULT_RIP) - 1 < holder.getKey() + holder.getValue().image().code().length;
        NativeImage image = inHolder ? holder.getValue().image() : this.image;
        long codeAddress = inHolder ? holder.getKey() : memory.address();
        int offset = (int) (context.read(NativeRunBlock.FAULT_RIP) - codeAddress) - 1;
        int slot = image.slotAt(offset);
        Program program = image.program();
        Instruction insn = slot >= 0 ? program.code().get(program.positionOf(slot)) : null;
        JitFunction function = slot >= 0 ? image.functionOf(slot) : null;
        String reason = switch (context.errorCode()) {
            case NativeRunBlock.ERROR_MEMORY -> memoryFault(insn, context);
            case NativeRunBlock.ERROR_UNKNOWN_HELPER -> "call to unknown helper " + context.read(NativeRunBlock.FAULT_ADDRESS);
            case NativeRunBlock.ERROR_MISALIGNED_ATOMIC -> String.format("misaligned atomic access at 0x%x", context.read(NativeRunBlock.FAULT_ADDRESS));
            case NativeRunBlock.ERROR_CALL_DEPTH -> "call nesting exceeds " + BpfToX86.MAX_FRAMES + " frames";
            case NativeRunBlock.ERROR_NOT_PROG_ARRAY -> "tail_call: r2 is not a prog array";
            case NativeRunBlock.ERROR_HELPER -> helperFailure == null ? "helper failed" : reasonOf(helperFailure);
            case NativeRunBlock.ERROR_BUDGET -> context.state().budgetMessage();
            default -> "native error " + context.errorCode();
        };
        // A helper the budget could not pay for is a budget error at its call, as in the interpreter.
        BpfError.Kind kind = context.errorCode() == NativeRunBlock.ERROR_BUDGET || helperFailure instanceof HelperBudgetExhausted ? BpfError.Kind.BUDGET
                        : BpfError.Kind.RUNTIME;
        if (insn == null) {
            return new BpfError(kind, program.sourceName(), reason);
        }
        return BpfError.at(kind, program.sourceName(), function == null ? null : function.name(), insn, reason).from(program.lineOf(insn.index()));
    }

    /** The run's own wording for a refused access, with the frames that were active at it. */
    private static String memoryFault(Instruction insn, NativeRunBlock context) {
        long address = context.read(NativeRunBlock.FAULT_ADDRESS);
        int size = insn == null ? 0 : accessSize(insn);
        boolean write = insn == null || insn.instructionClass() != Opcodes.CLASS_LDX;
        StackFrames frames = context.state().stackFrames();
        NativeStackFrames.atFault(context, frames);
        try {
            if (insn != null && insn.opcode() == Opcodes.CALL) {
                // The key of a lookup native code does itself: worded as the helper words it.
                return "map_lookup_elem key: " + context.state().regions().describeViolation(address, 4, false);
            }
            return context.state().regions().describeViolation(address, size, write);
        } finally {
            frames.clear();
        }
    }

    private static int accessSize(Instruction insn) {
        return Opcodes.sizeBytes(Opcodes.size(insn.opcode()));
    }

    /**
     * The module id checked code compares at its entry (see {@link BpfToX86}): its map set's, or 0 when it has no
     * maps, since entering such code gives the run nothing more to touch.
     */
    static long moduleId(MapSet maps) {
        return maps.size() == 0 ? 0 : maps.id();
    }

    long moduleId() {
        return moduleId(maps);
    }

    /**
     * The call chain at the current bpf_get_stackid or bpf_get_stack call of this thread's native run: the call's
     * instruction index, then up the machine stack from its function's rbp, the instruction of each bpf-to-bpf
     * call whose return address a frame holds ({@code [rbp + 8]}, the caller's rbp at {@code [rbp]}). The walk
     * ends at the first return address outside BPF code (the entry trampoline's), before reading anything
     * that is not a BPF frame.
     */
    static long[] callChain() {
        NativeRunBlock context = NativeRunBlock.current();
        List<Long> ips = new ArrayList<>();
        ips.add(context.read(NativeRunBlock.STACK_SITE));
        long rbp = context.read(NativeRunBlock.STACK_SITE_RBP);
        for (int depth = 0; depth < BpfToX86.MAX_FRAMES && rbp != 0; depth++) {
            long returnAddress = NativeMemory.readU64(rbp + 8);
            Map.Entry<Long, Loaded> holder = LOADED.floorEntry(returnAddress - 1);
            if (holder == null || returnAddress - 1 >= holder.getKey() + holder.getValue().image().code().length) {
                break;
            }
            int slot = holder.getValue().image().slotAt((int) (returnAddress - 1 - holder.getKey()));
            if (slot < 0) {
                break;
            }
            ips.add((long) slot);
            rbp = NativeMemory.readU64(rbp);
        }
        return ips.stream().mapToLong(Long::longValue).toArray();
    }

    /** The loaded program whose code holds {@code address}, or null (also when it is being freed). */
    static NativeProgram containing(long address) {
        Map.Entry<Long, Loaded> holder = LOADED.floorEntry(address);
        return holder != null && address < holder.getKey() + holder.getValue().image().code().length ? holder.getValue().program().get() : null;
    }

    MapSet maps() {
        return maps;
    }

    /**
     * Frees the code once no run of its context can still be inside it: when this returns on a thread in no run;
     * later, when the runs end, on a thread inside one (which must not wait for others). The program must no
     * longer be installed in a prog array slot (other programs would jump into freed memory).
     */
    @Override
    public void close() {
        for (DirectTailCalls sites : directSites) {
            sites.unregister(this);
        }
        gracePeriod.afterActiveRuns(releaser);
    }

    /**
     * Frees the code memory, once, holding neither this program nor its maps (see
     * {@link org.trufflebpf.runtime.NativeEngineProvider.NativeCode#releaser()}). Its patch sites need no
     * unregistering: they jump through the program's own prog arrays, which are as unreachable as it is.
     */
    Runnable releaser() {
        return releaser;
    }

    private static Runnable releaserOf(CodeMemory memory, Loaded loaded) {
        long address = memory.address();
        return () -> {
            if (LOADED.remove(address, loaded)) {
                memory.close();
            }
        };
    }
}
