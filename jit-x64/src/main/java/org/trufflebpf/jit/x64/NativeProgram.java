package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.HelperBudgetExhausted;

/**
 * A compiled program placed in executable memory, run through an FFM downcall into its entry trampoline.
 * Runs on several threads at once are fine: each run has its own {@link RunContext}.
 */
public final class NativeProgram implements AutoCloseable {
    private static final FunctionDescriptor ENTRY = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    /** Loaded programs by code address, to name the instruction of an error raised in a tail-call target. */
    private static final ConcurrentSkipListMap<Long, NativeProgram> LOADED = new ConcurrentSkipListMap<>();

    private final NativeImage image;
    private final CodeMemory memory;
    private final MethodHandle entry;
    private final HelperTable helpers;

    NativeProgram(NativeImage image, HelperTable helpers, NativeMaps maps) {
        this.image = image;
        this.helpers = helpers;
        this.memory = CodeMemory.allocate(image.code().length);
        memory.write(0, image.code());
        if (image.pokes().isEmpty()) {
            memory.sealWrites(); // nothing will ever patch this code
        }
        this.entry = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(memory.address() + image.entryTrampoline()), ENTRY);
        LOADED.put(memory.address(), this);
        for (PokeDescriptor poke : image.pokes()) {
            DirectTailCalls.register(this, maps.mapPointer(poke.mapIndex()), poke);
        }
    }

    /** Where tail calls and prog array slots point: the entry function's first byte. */
    public long entryAddress() {
        return memory.address() + image.functionStart()[0];
    }

    CodeMemory code() {
        return memory;
    }

    public NativeImage image() {
        return image;
    }

    /** The code as it is in executable memory now, patched poke sites included. */
    public byte[] liveCode() {
        return java.lang.foreign.MemorySegment.ofAddress(codeAddress()).reinterpret(image().code().length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /** Address of the executable code (offsets of {@link #image()} are relative to it). */
    public long codeAddress() {
        return memory.address();
    }

    /** Runs with r1 = the context's address and r2 = its length (both 0 for {@link MemorySegment#NULL}). */
    public long run(MemorySegment context) {
        if (context.equals(MemorySegment.NULL) || context.byteSize() == 0 && context.address() == 0) {
            return run(0, 0, List.of());
        }
        return run(context.address(), context.byteSize(), List.of(context));
    }

    /** The interpreter's default execution budget. */
    public static final long DEFAULT_INSTRUCTION_LIMIT = RunSettings.DEFAULT_INSTRUCTION_LIMIT;

    public long run(long r1, long r2, List<MemorySegment> accessible) {
        return run(r1, r2, accessible, DEFAULT_INSTRUCTION_LIMIT);
    }

    public long run(long r1, long r2, List<MemorySegment> accessible, long instructionLimit) {
        return execute(r1, r2, accessible, instructionLimit).r0();
    }

    /** A finished run: its r0 and, when compiled with a budget, how many instructions it executed. */
    public record Outcome(long r0, long executed) {
    }

    public Outcome execute(long r1, long r2, List<MemorySegment> accessible, long instructionLimit) {
        return execute(r1, r2, accessible, instructionLimit, image.options().tailCallCounter() == JitOptions.TailCallCounter.SHARED);
    }

    public Outcome execute(long r1, long r2, List<MemorySegment> accessible, long instructionLimit, boolean sharedTailCallCounter) {
        return execute(r1, r2, accessible, instructionLimit, sharedTailCallCounter, null);
    }

    public Outcome execute(long r1, long r2, List<MemorySegment> accessible, long instructionLimit, boolean sharedTailCallCounter,
                    MemoryAccessPolicy fallback) {
        return execute(r1, r2, RunSettings.of(accessible).withInstructionLimit(instructionLimit).withSharedTailCallCounter(sharedTailCallCounter)
                        .withFallback(fallback));
    }

    /**
     * Runs with the given r1 and r2. Code compiled for {@code PER_RUN} follows the settings' tail-call ABI;
     * code compiled for one ABI accepts only that one.
     */
    public Outcome execute(long r1, long r2, RunSettings settings) {
        JitOptions.TailCallCounter compiled = image.options().tailCallCounter();
        if (compiled != JitOptions.TailCallCounter.PER_RUN && (compiled == JitOptions.TailCallCounter.SHARED) != settings.sharedTailCallCounter()) {
            throw new IllegalArgumentException("the program was compiled for the " + compiled + " tail-call counter only");
        }
        List<MemorySegment> accessible = settings.accessible();
        long instructionLimit = settings.instructionLimit();
        List<long[]> regions = new ArrayList<>();
        for (MemorySegment segment : accessible) {
            regions.add(new long[] {segment.address(), segment.byteSize(), segment.isReadOnly() ? 0 : 1});
        }
        long runId = GracePeriod.enter();
        try (Arena arena = Arena.ofConfined()) {
            RunContext context = new RunContext(arena, regions, settings);
            RunContext previous = context.enter();
            long result;
            try {
                result = (long) entry.invokeExact(r1, r2, context.address());
            } catch (Throwable t) {
                throw new IllegalStateException("native entry failed", t);
            } finally {
                RunContext.leave(previous);
                GracePeriod.exit(runId);
            }
            Throwable helperFailure = HelperTable.takeFailure();
            if (context.errorCode() == RunContext.ERROR_HELPER && context.faultReturnAddress() != 0) {
                throw errorOf(context, instructionLimit, helperFailure, settings);
            }
            if (helperFailure != null) {
                // Unchecked code does not stop at a failing helper: report it after the run.
                throw new BpfError(BpfError.Kind.RUNTIME, image.program().sourceName(), "helper failed: " + reasonOf(helperFailure));
            }
            if (context.errorCode() != RunContext.ERROR_NONE) {
                throw errorOf(context, instructionLimit, null, settings);
            }
            return new Outcome(result, instructionLimit - context.budgetRemaining());
        }
    }

    private static String reasonOf(Throwable failure) {
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }

    private BpfError errorOf(RunContext context, long instructionLimit, Throwable helperFailure, RunSettings settings) {
        // The fault may lie in a tail-call target: find the image that holds the address.
        Map.Entry<Long, NativeProgram> holder = LOADED.floorEntry(context.faultReturnAddress() - 1);
        NativeProgram where = holder != null && context.faultReturnAddress() - 1 < holder.getKey() + holder.getValue().image.code().length
                        ? holder.getValue() : this;
        NativeImage image = where.image;
        int offset = (int) (context.faultReturnAddress() - where.memory.address()) - 1;
        int slot = image.slotAt(offset);
        Program program = image.program();
        Instruction insn = slot >= 0 ? program.code().get(program.positionOf(slot)) : null;
        JitFunction function = slot >= 0 ? image.functionOf(slot) : null;
        String reason = switch (context.errorCode()) {
            case RunContext.ERROR_MEMORY -> memoryFault(insn, context, settings);
            case RunContext.ERROR_UNKNOWN_HELPER -> "call to unknown helper " + context.faultAddress();
            case RunContext.ERROR_MISALIGNED_ATOMIC -> String.format("misaligned atomic access at 0x%x", context.faultAddress());
            case RunContext.ERROR_CALL_DEPTH -> "call nesting exceeds " + BpfToX86.MAX_FRAMES + " frames";
            case RunContext.ERROR_NOT_PROG_ARRAY -> "tail_call: r2 is not a prog array";
            case RunContext.ERROR_HELPER -> helperFailure == null ? "helper failed" : reasonOf(helperFailure);
            case RunContext.ERROR_BUDGET -> "execution budget of " + instructionLimit + " instructions exhausted ("
                            + (instructionLimit - context.budgetRemaining()) + " executed)";
            default -> "native error " + context.errorCode();
        };
        // A helper the budget could not pay for is a budget error at its call, as in the interpreter.
        BpfError.Kind kind = context.errorCode() == RunContext.ERROR_BUDGET || helperFailure instanceof HelperBudgetExhausted ? BpfError.Kind.BUDGET
                        : BpfError.Kind.RUNTIME;
        if (insn == null) {
            return new BpfError(kind, program.sourceName(), reason);
        }
        return BpfError.at(kind, program.sourceName(), function == null ? null : function.name(), insn, reason);
    }

    private static String memoryFault(Instruction insn, RunContext context, RunSettings settings) {
        long address = context.faultAddress();
        int size = insn == null ? 0 : accessSize(insn);
        boolean write = insn == null || insn.instructionClass() != Opcodes.CLASS_LDX;
        String described = settings.fallback() == null ? null : settings.fallback().describe(address, size, write, context);
        if (described != null) {
            return described;
        }
        for (MemorySegment segment : settings.accessible()) {
            if (write && segment.isReadOnly() && address >= segment.address() && address + size <= segment.address() + segment.byteSize()) {
                return String.format("write of %d bytes at 0x%x: read-only memory", size, address);
            }
        }
        return String.format("%s of %d bytes at 0x%x: not memory the program may access", write ? "write" : "read", size, address);
    }

    private static int accessSize(Instruction insn) {
        return Opcodes.sizeBytes(Opcodes.size(insn.opcode()));
    }

    HelperTable helpers() {
        return helpers;
    }

    /**
     * Frees the code once no run can still be inside it. The program must no longer be installed in a prog
     * array slot (other programs would jump into freed memory).
     */
    @Override
    public void close() {
        DirectTailCalls.unregister(this);
        LOADED.remove(memory.address());
        GracePeriod.await();
        memory.close();
    }
}
