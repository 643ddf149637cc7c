package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
// Static imports: this class's own Helper interface hides the catalogue's simple name.
import static org.trufflebpf.model.Helper.GET_CURRENT_PID_TGID;
import static org.trufflebpf.model.Helper.GET_PRANDOM_U32;
import static org.trufflebpf.model.Helper.GET_SMP_PROCESSOR_ID;
import static org.trufflebpf.model.Helper.KTIME_GET_BOOT_NS;
import static org.trufflebpf.model.Helper.KTIME_GET_NS;
import static org.trufflebpf.model.Helper.TAIL_CALL;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The helpers native code can call, by Linux helper id. Each is a Java function of five longs reached through
 * an FFM upcall stub; in front of each stub sits a small native thunk that aligns the stack to 16 bytes (BPF
 * frames keep only 8-byte alignment, the C ABI wants 16). For {@code callx} a native table maps ids to thunk
 * addresses. Helpers must not throw: a failure is recorded and reported after the run.
 */
public final class HelperTable implements AutoCloseable {
    /** A helper: BPF r1..r5 in, r0 out. */
    @FunctionalInterface
    public interface Helper {
        long call(long r1, long r2, long r3, long r4, long r5);
    }

    private static final ThreadLocal<Throwable> FAILURE = new ThreadLocal<>();
    private static final MethodHandle INVOKE;

    static {
        try {
            INVOKE = MethodHandles.lookup().findStatic(HelperTable.class, "invokeSafely",
                            MethodType.methodType(long.class, Helper.class, long.class, long.class, long.class, long.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Map<Integer, Helper> helpers;
    private final Map<Integer, Long> thunks = new TreeMap<>();
    private final Arena arena = Arena.ofShared();
    private final CodeMemory thunkMemory;
    private final MemorySegment callxTable;

    private HelperTable(Map<Integer, Helper> helpers) {
        this.helpers = Map.copyOf(helpers);
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor fiveLongs = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        X86Assembler asm = new X86Assembler();
        Map<Integer, Integer> thunkOffsets = new TreeMap<>();
        int maxId = -1;
        for (Map.Entry<Integer, Helper> entry : new TreeMap<>(helpers).entrySet()) {
            MethodHandle target = INVOKE.bindTo(entry.getValue());
            long stub = linker.upcallStub(target, fiveLongs, arena).address();
            thunkOffsets.put(entry.getKey(), asm.position());
            emitAligningThunk(asm, stub);
            maxId = Math.max(maxId, entry.getKey());
        }
        thunkMemory = CodeMemory.allocate(Math.max(1, asm.position()));
        thunkMemory.write(0, asm.toByteArray());
        thunkMemory.sealWrites();
        callxTable = arena.allocate(8L * (maxId + 1), 8);
        for (Map.Entry<Integer, Integer> entry : thunkOffsets.entrySet()) {
            long address = thunkMemory.address() + entry.getValue();
            thunks.put(entry.getKey(), address);
            callxTable.setAtIndex(JAVA_LONG, entry.getKey(), address);
        }
    }

    /** push rbp; mov rbp,rsp; and rsp,-16; mov rax, stub; call rax; leave; ret. */
    private static void emitAligningThunk(X86Assembler asm, long stub) {
        asm.push(Registers.RBP);
        asm.movRegReg(true, Registers.RBP, Registers.RSP);
        asm.aluRegImm(X86Assembler.Alu.AND, true, Registers.RSP, -16);
        asm.movRegImm64(Registers.RAX, stub);
        asm.callReg(Registers.RAX);
        asm.leave();
        asm.ret();
    }

    private static long invokeSafely(Helper helper, long r1, long r2, long r3, long r4, long r5) {
        try {
            long result = helper.call(r1, r2, r3, r4, r5);
            RunContext.refreshRegionsAfterHelper();
            return result;
        } catch (Throwable t) {
            // An exception must not unwind through native frames (the JVM would abort): keep it for later.
            if (FAILURE.get() == null) {
                FAILURE.set(t);
            }
            RunContext.markHelperFailure();
            return 0;
        }
    }

    /** The first helper failure on this thread since the last call, cleared. */
    static Throwable takeFailure() {
        Throwable t = FAILURE.get();
        FAILURE.remove();
        return t;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The helpers that need no runtime: time, random numbers, processor and process ids. */
    public static HelperTable standard() {
        return builder().withStandardHelpers().build();
    }

    public boolean has(int id) {
        return thunks.containsKey(id);
    }

    /** Address native code calls for helper {@code id}. */
    public long address(int id) {
        Long address = thunks.get(id);
        if (address == null) {
            throw new IllegalArgumentException("no helper " + id);
        }
        return address;
    }

    /** Native table of thunk addresses indexed by id (0 where there is no helper), for {@code callx}. */
    public long callxTableAddress() {
        return callxTable.address();
    }

    public int callxTableLength() {
        return (int) (callxTable.byteSize() / 8);
    }

    public Map<Integer, Helper> helpers() {
        return helpers;
    }

    @Override
    public void close() {
        thunkMemory.close();
        arena.close();
    }

    public static final class Builder {
        private final Map<Integer, Helper> helpers = new TreeMap<>();

        public Builder register(int id, Helper helper) {
            if (id <= 0 || id == TAIL_CALL.id()) {
                throw new IllegalArgumentException("helper id " + id + " cannot be registered");
            }
            helpers.put(id, helper);
            return this;
        }

        public Builder withStandardHelpers() {
            register(KTIME_GET_NS.id(), (a, b, c, d, e) -> System.nanoTime());
            register(KTIME_GET_BOOT_NS.id(), (a, b, c, d, e) -> System.nanoTime());
            register(GET_PRANDOM_U32.id(), (a, b, c, d, e) -> ThreadLocalRandom.current().nextInt() & 0xffffffffL);
            register(GET_SMP_PROCESSOR_ID.id(), (a, b, c, d, e) -> 0);
            register(GET_CURRENT_PID_TGID.id(), (a, b, c, d, e) -> {
                long pid = ProcessHandle.current().pid();
                return (pid << 32) | Thread.currentThread().threadId() & 0xffffffffL;
            });
            return this;
        }

        public HelperTable build() {
            return new HelperTable(helpers);
        }
    }
}
