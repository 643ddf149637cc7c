package org.trufflebpf.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.trufflebpf.model.BpfError;

/**
 * BPF_PROG_TEST_RUN of a loaded program over packet bytes: r0, the packet as the run left it, and, with
 * {@code repeat}, the kernel's average time per run. No {@code ctx_in} is passed: the kernel then builds the
 * context from the packet alone, as our engines do.
 */
final class KernelTestRun {
    /** Room for the packet after the run: a program may grow it (adjust_head/tail). */
    private static final int OUT_SLACK = 4096;

    /** What one test run returned. */
    record Result(long r0, byte[] packetOut, long durationNanos) {
    }

    private KernelTestRun() {
    }

    static Result run(KernelProgram program, byte[] packet, int repeat) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_BYTE, packet.length == 0 ? new byte[1] : packet);
            int outSize = packet.length + OUT_SLACK;
            MemorySegment out = arena.allocate(outSize);
            MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
            attr.set(ValueLayout.JAVA_INT, 0, program.fd());
            attr.set(ValueLayout.JAVA_INT, 8, packet.length);
            attr.set(ValueLayout.JAVA_INT, 12, outSize);
            attr.set(ValueLayout.JAVA_LONG, 16, in.address());
            attr.set(ValueLayout.JAVA_LONG, 24, out.address());
            attr.set(ValueLayout.JAVA_INT, 32, Math.max(1, repeat));
            try {
                BpfSyscall.call(BpfSyscall.PROG_TEST_RUN, attr, "BPF_PROG_TEST_RUN");
            } catch (BpfSyscall.Failure e) {
                String hint = e.errno == Errno.EINVAL && packet.length < 14 ? " (the kernel needs at least an Ethernet header, 14 bytes)" : "";
                throw new BpfError(BpfError.Kind.RUNTIME, program.program().sourceName(), program.program().name(), -1, null,
                                "kernel engine: " + e.getMessage() + hint);
            }
            long r0 = Integer.toUnsignedLong(attr.get(ValueLayout.JAVA_INT, 4));
            int outLength = Math.min(attr.get(ValueLayout.JAVA_INT, 12), outSize);
            byte[] packetOut = out.asSlice(0, outLength).toArray(ValueLayout.JAVA_BYTE);
            return new Result(r0, packetOut, Integer.toUnsignedLong(attr.get(ValueLayout.JAVA_INT, 36)));
        }
    }
}
