package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import org.trufflebpf.asm.Disassembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;

/**
 * A compiled program placed in executable memory, run through an FFM downcall into its entry trampoline.
 * Runs on several threads at once are fine: each run has its own {@link RunContext}.
 */
public final class NativeProgram implements AutoCloseable {
    private static final FunctionDescriptor ENTRY = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    private final NativeImage image;
    private final CodeMemory memory;
    private final MethodHandle entry;
    private final HelperTable helpers;

    NativeProgram(NativeImage image, HelperTable helpers) {
        this.image = image;
        this.helpers = helpers;
        this.memory = CodeMemory.allocate(image.code().length);
        memory.write(0, image.code());
        memory.sealWrites();
        this.entry = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(memory.address() + image.entryTrampoline()), ENTRY);
    }

    public NativeImage image() {
        return image;
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

    /**
     * Runs with the given r1 and r2. In checked mode the program may touch its stacks and the given memory
     * regions only.
     */
    public long run(long r1, long r2, List<MemorySegment> accessible) {
        List<long[]> regions = new ArrayList<>();
        for (MemorySegment segment : accessible) {
            regions.add(new long[] {segment.address(), segment.byteSize()});
        }
        try (Arena arena = Arena.ofConfined()) {
            RunContext context = new RunContext(arena, regions);
            long result;
            try {
                result = (long) entry.invokeExact(r1, r2, context.address());
            } catch (Throwable t) {
                throw new IllegalStateException("native entry failed", t);
            }
            Throwable helperFailure = HelperTable.takeFailure();
            if (helperFailure != null) {
                throw new BpfError(BpfError.Kind.RUNTIME, image.program().sourceName(), "helper failed: " + helperFailure);
            }
            if (context.errorCode() != RunContext.ERROR_NONE) {
                throw errorOf(context);
            }
            return result;
        }
    }

    private BpfError errorOf(RunContext context) {
        int offset = (int) (context.faultReturnAddress() - memory.address()) - 1;
        int slot = image.slotAt(offset);
        Program program = image.program();
        Instruction insn = slot >= 0 ? program.code().get(program.positionOf(slot)) : null;
        JitFunction function = slot >= 0 ? image.functionOf(slot) : null;
        String reason = switch (context.errorCode()) {
            case RunContext.ERROR_MEMORY -> String.format("out-of-bounds memory access: %d bytes at 0x%x",
                            insn == null ? 0 : accessSize(insn), context.faultAddress());
            case RunContext.ERROR_UNKNOWN_HELPER -> "callx to an unknown helper";
            case RunContext.ERROR_CALL_DEPTH -> "too many call frames (at most " + Opcodes.MAX_CALL_FRAMES + ")";
            default -> "native error " + context.errorCode();
        };
        if (insn == null) {
            return new BpfError(BpfError.Kind.RUNTIME, program.sourceName(), reason);
        }
        return new BpfError(BpfError.Kind.RUNTIME, program.sourceName(), function == null ? null : function.name(), insn.index(),
                        Disassembler.format(insn), reason);
    }

    private static int accessSize(Instruction insn) {
        return Opcodes.sizeBytes(Opcodes.size(insn.opcode()));
    }

    HelperTable helpers() {
        return helpers;
    }

    /** Frees the code; no run may be in progress. */
    @Override
    public void close() {
        memory.close();
    }
}
