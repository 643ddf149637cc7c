package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.TreeMap;

import org.trufflebpf.model.Helper;
import org.trufflebpf.runtime.HelperCost;
import org.trufflebpf.runtime.Helpers;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.StackFrames;

/**
 * Where native code calls the shared runtime's {@link Helpers}: one FFM upcall stub per helper the runtime
 * provides, each behind a small native thunk that aligns the stack to 16 bytes (BPF frames keep only 8-byte
 * alignment, the C ABI wants 16), and for {@code callx} a native table of the thunks indexed by helper id.
 * Created once per JVM: upcall stubs live as long as the JVM. A helper must not unwind through native frames,
 * so a failure is kept for the run to report and the native code sees it in its run block.
 */
final class HelperTable {

    private static final MethodHandle CALL;
    private static HelperTable runtime;

    static {
        try {
            CALL = MethodHandles.lookup().findStatic(HelperTable.class, "callSafely",
                            MethodType.methodType(long.class, long.class, long.class, long.class, long.class, long.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Map<Integer, Long> thunks = new TreeMap<>();
    private final MemorySegment callxTable;

    private HelperTable() {
        Arena arena = Arena.global();
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor fiveLongs = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        X86Assembler asm = new X86Assembler();
        Map<Integer, Integer> thunkOffsets = new TreeMap<>();
        int maxId = -1;
        for (int id : Helper.ids()) {
            if (id == Helper.TAIL_CALL.id()) {
                continue; // tail_call is the engine's own code, not a helper call
            }
            MethodHandle target = MethodHandles.insertArguments(CALL, 0, (long) id);
            long stub = linker.upcallStub(target, fiveLongs, arena).address();
            thunkOffsets.put(id, asm.position());
            emitAligningThunk(asm, stub);
            maxId = id;
        }
        CodeMemory thunkMemory = CodeMemory.allocate(Math.max(1, asm.position()));
        thunkMemory.write(0, asm.toByteArray());
        thunkMemory.sealWrites();
        callxTable = arena.allocate(8L * (maxId + 1), 8);
        for (Map.Entry<Integer, Integer> entry : thunkOffsets.entrySet()) {
            long address = thunkMemory.address() + entry.getValue();
            thunks.put(entry.getKey(), address);
            callxTable.setAtIndex(JAVA_LONG, entry.getKey(), address);
        }
    }

    /** The table of every runtime helper, created on first use. */
    static synchronized HelperTable runtime() {
        if (runtime == null) {
            runtime = new HelperTable();
        }
        return runtime;
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

    private static long callSafely(long id, long r1, long r2, long r3, long r4, long r5) {
        try {
            return callWithStackFrames(id, r1, r2, r3, r4, r5);
        } catch (Throwable t) {
            // An exception must not unwind through native frames (the JVM would abort): keep it for later.
            NativeRunBlock.markHelperFailure(t);
            return 0;
        }
    }

    /**
     * Runs a runtime helper with the program's native stack frames as the run's stack, so that its pointer
     * checks accept pointers into the BPF frames (which the native engine keeps on the machine stack) and
     * nothing between them. Its cost is charged to the budget native code stores in the run block before the call (and reloads after it).
     * Afterwards native code checks accesses and reads the packet as the helper left them.
     */
    private static long callWithStackFrames(long id, long r1, long r2, long r3, long r4, long r5) {
        NativeRunBlock context = NativeRunBlock.current();
        RunState state = context.state();
        state.setRemainingBudget(context.read(NativeRunBlock.BUDGET_REMAINING));
        HelperCost.charge(state, id, r1, r2, r3, r4);
        context.setBudgetRemaining(state.remainingBudget());
        StackFrames frames = state.stackFrames();
        NativeStackFrames.duringHelperCall(context, frames);
        try {
            return Helpers.call(id, r1, r2, r3, r4, r5);
        } finally {
            // Outside a helper call the stack is the native code's to check: the runtime must allow none of it.
            frames.clear();
            context.followRunState();
        }
    }

    boolean has(int id) {
        return thunks.containsKey(id);
    }

    /** Address native code calls for helper {@code id}. */
    long address(int id) {
        Long address = thunks.get(id);
        if (address == null) {
            throw new IllegalArgumentException("no helper " + id);
        }
        return address;
    }

    /** Native table of thunk addresses indexed by id (0 where there is no helper), for {@code callx}. */
    long callxTableAddress() {
        return callxTable.address();
    }

    int callxTableLength() {
        return (int) (callxTable.byteSize() / 8);
    }
}
