package org.trufflebpf.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.trufflebpf.model.BpfError;

/**
 * BPF_PROG_TEST_RUN of a loaded program over packet bytes: r0, the packet as the run left it, and, with
 * {@code repeat}, the kernel's average time per run. With a context input it is passed as {@code ctx_in} and the
 * context comes back as {@code ctx_out}; without, the kernel builds the context from the packet alone.
 */
final class KernelTestRun {
    /**
     * Room for the packet after the run: a program may grow it (xdp_adjust_head/tail within a page,
     * skb_change_head/tail up to BPF_SKB_MAX_LEN, 16064 bytes).
     */
    private static final int OUT_SLACK = 16384;

    /** What one test run returned. */
    record Result(long r0, byte[] packetOut, long durationNanos, byte[] contextOut) {
    }

    private KernelTestRun() {
    }

    /**
     * @param contextIn the raw struct for {@code ctx_in} (already checked against the kernel's rules), or null
     * @param contextSize the size of the context struct of the program's type, the room given for {@code ctx_out}
     */
    static Result run(KernelProgram program, byte[] packet, byte[] contextIn, int contextSize, int repeat) {
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
            MemorySegment contextOut = null;
            if (contextIn != null) {
                contextOut = arena.allocate(contextSize);
                attr.set(ValueLayout.JAVA_INT, 40, contextIn.length);
                attr.set(ValueLayout.JAVA_INT, 44, contextSize);
                attr.set(ValueLayout.JAVA_LONG, 48, arena.allocateFrom(ValueLayout.JAVA_BYTE, contextIn).address());
                attr.set(ValueLayout.JAVA_LONG, 56, contextOut.address());
            }
            try {
                BpfSyscall.call(BpfSyscall.PROG_TEST_RUN, attr, "BPF_PROG_TEST_RUN");
            } catch (BpfSyscall.Failure e) {
                String hint = e.errno == Errno.EINVAL && packet.length < 14 ? " (the kernel needs at least an Ethernet header, 14 bytes)"
                                : e.errno == Errno.ENODEV && contextIn != null ? " (the context input names an ifindex no network device here has)"
                                : e.errno == Errno.EINVAL && contextIn != null ? " (the kernel refused the context input: an rx_queue_index its device lacks?)" : "";
                throw new BpfError(BpfError.Kind.RUNTIME, program.program().sourceName(), program.program().name(), -1, null,
                                "kernel engine: " + e.getMessage() + hint);
            }
            long r0 = Integer.toUnsignedLong(attr.get(ValueLayout.JAVA_INT, 4));
            int outLength = Math.min(attr.get(ValueLayout.JAVA_INT, 12), outSize);
            byte[] packetOut = out.asSlice(0, outLength).toArray(ValueLayout.JAVA_BYTE);
            byte[] context = contextOut == null ? null
                            : contextOut.asSlice(0, Math.min(contextSize, attr.get(ValueLayout.JAVA_INT, 44))).toArray(ValueLayout.JAVA_BYTE);
            return new Result(r0, packetOut, Integer.toUnsignedLong(attr.get(ValueLayout.JAVA_INT, 36)), context);
        }
    }
}
