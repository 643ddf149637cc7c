package org.trufflebpf.kernel;

import static org.trufflebpf.runtime.maps.Errno.name;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;

/**
 * The kernel's own stack trace maps, to check the model against: what the host's element commands answer, and
 * which stack id bpf_get_stackid gives the stack it stores. Our engines run tracing programs on a raw context
 * the kernel cannot take, so the kernel's stacks come from a raw tracepoint program run by BPF_PROG_TEST_RUN
 * (its stack is the test-run syscall's kernel stack).
 */
public final class KernelStackTraces {
    private static final int STACK_TRACE = 7;
    private static final int RAW_TRACEPOINT = 17;

    private KernelStackTraces() {
    }

    /** A stack the kernel stored: the id bpf_get_stackid answered, and the ips read back under it (none when the id is an errno). */
    public record Sample(long id, long[] ips) {
    }

    /** Why bpf(2) cannot be used here, or null. */
    public static String unavailableReason() {
        return BpfSyscall.unavailableReason();
    }

    static int create(int type, int keySize, int valueSize, int maxEntries, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
            attr.set(ValueLayout.JAVA_INT, 0, type);
            attr.set(ValueLayout.JAVA_INT, 4, keySize);
            attr.set(ValueLayout.JAVA_INT, 8, valueSize);
            attr.set(ValueLayout.JAVA_INT, 12, maxEntries);
            attr.set(ValueLayout.JAVA_INT, 16, flags);
            return (int) BpfSyscall.call(BpfSyscall.MAP_CREATE, attr, "BPF_MAP_CREATE");
        }
    }

    /**
     * Runs {@code bpf_get_stackid(ctx, map, flags)} once per flags value from a raw tracepoint program, into one
     * stack trace map of {@code entries} entries of {@code depth} ips, and reads each stored stack back.
     */
    public static List<Sample> sample(int entries, int depth, long[] flagsPerRun) {
        int map = create(STACK_TRACE, 4, 8 * depth, entries, 0);
        try {
            List<Sample> samples = new ArrayList<>();
            for (long flags : flagsPerRun) {
                long id = run(map, flags);
                samples.add(new Sample(id, id < 0 ? new long[0] : lookup(map, (int) id, depth)));
            }
            return samples;
        } finally {
            BpfSyscall.close(map);
        }
    }

    /**
     * The host's commands on an empty stack trace map of {@code entries} entries, each answer an errno's name or
     * "ok": lookup of id 0, delete of id 0, delete of the first id past the buckets, update of id 0.
     */
    public static List<String> hostAnswersOnAnEmptyMap(int entries, int pastTheBuckets) {
        int map = create(STACK_TRACE, 4, 16, entries, 0);
        try (Arena arena = Arena.ofConfined()) {
            List<String> answers = new ArrayList<>();
            answers.add(element(arena, BpfSyscall.MAP_LOOKUP_ELEM, map, 0));
            answers.add(element(arena, BpfSyscall.MAP_DELETE_ELEM, map, 0));
            answers.add(element(arena, BpfSyscall.MAP_DELETE_ELEM, map, pastTheBuckets));
            answers.add(element(arena, BpfSyscall.MAP_UPDATE_ELEM, map, 0));
            return answers;
        } finally {
            BpfSyscall.close(map);
        }
    }

    private static String element(Arena arena, int command, int map, int id) {
        MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
        attr.set(ValueLayout.JAVA_INT, 0, map);
        attr.set(ValueLayout.JAVA_LONG, 8, arena.allocateFrom(ValueLayout.JAVA_INT, id).address());
        if (command != BpfSyscall.MAP_DELETE_ELEM) {
            attr.set(ValueLayout.JAVA_LONG, 16, arena.allocate(16).address());
        }
        try {
            BpfSyscall.call(command, attr, "element command");
            return "ok";
        } catch (BpfSyscall.Failure e) {
            return name(-e.errno);
        }
    }

    /** Loads and runs {@code r0 = get_stackid(r1, map, flags); exit}; returns r0 as the s64 the helper gave. */
    private static long run(int map, long flags) {
        ByteBuffer code = ByteBuffer.allocate(7 * Instruction.SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        new Instruction(0, Opcodes.LDDW, 2, Opcodes.PSEUDO_MAP_FD, 0, map, 0).encode(code);
        // r3 = flags (a 64-bit immediate: the flags fit in 32 bits, but lddw keeps the encoding obvious).
        new Instruction(2, Opcodes.LDDW, 3, 0, 0, (int) flags, (int) (flags >>> 32)).encode(code);
        new Instruction(4, Opcodes.CALL, 0, 0, 0, 27, 0).encode(code);
        new Instruction(5, Opcodes.EXIT, 0, 0, 0, 0, 0).encode(code);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocateFrom(ValueLayout.JAVA_BYTE, code.array());
            MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
            attr.set(ValueLayout.JAVA_INT, 0, RAW_TRACEPOINT);
            attr.set(ValueLayout.JAVA_INT, 4, 6);
            attr.set(ValueLayout.JAVA_LONG, 8, insns.address());
            attr.set(ValueLayout.JAVA_LONG, 16, arena.allocateFrom("GPL").address());
            int program = (int) BpfSyscall.call(BpfSyscall.PROG_LOAD, attr, "BPF_PROG_LOAD of a raw tracepoint calling bpf_get_stackid");
            try {
                MemorySegment run = arena.allocate(BpfSyscall.ATTR_SIZE);
                run.set(ValueLayout.JAVA_INT, 0, program);
                BpfSyscall.call(BpfSyscall.PROG_TEST_RUN, run, "BPF_PROG_TEST_RUN of the raw tracepoint");
                return run.get(ValueLayout.JAVA_INT, 4);
            } finally {
                BpfSyscall.close(program);
            }
        }
    }

    /** The ips stored under {@code id}, without the zeros after a stack shorter than the value. */
    private static long[] lookup(int map, int id, int depth) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(8L * depth);
            MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
            attr.set(ValueLayout.JAVA_INT, 0, map);
            attr.set(ValueLayout.JAVA_LONG, 8, arena.allocateFrom(ValueLayout.JAVA_INT, id).address());
            attr.set(ValueLayout.JAVA_LONG, 16, value.address());
            BpfSyscall.call(BpfSyscall.MAP_LOOKUP_ELEM, attr, "BPF_MAP_LOOKUP_ELEM of stack " + id);
            long[] ips = value.toArray(ValueLayout.JAVA_LONG);
            int length = ips.length;
            while (length > 0 && ips[length - 1] == 0) {
                length--;
            }
            return Arrays.copyOf(ips, length);
        }
    }
}
