package org.trufflebpf.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.StringJoiner;

/**
 * {@code --ctx FILE}: the raw bytes of {@code struct __sk_buff} or {@code struct xdp_md} a run starts from
 * (BPF_PROG_TEST_RUN's ctx_in), handed to the language as {@code bpf.ContextIn}; and the context after the run
 * (ctx_out) as one line of the fields the kernel reports.
 */
final class ContextFile {
    /** Larger than either struct, yet small: the kernel refuses anything nonzero past the struct anyway. */
    private static final long MAX_BYTES = 4096;

    private ContextFile() {
    }

    /** The file's bytes as {@code bpf.ContextIn}'s hex. */
    static String optionValue(Path file) throws IOException, BadInputException, UsageException {
        byte[] bytes = InputFiles.read(file, MAX_BYTES, "a context");
        if (bytes.length == 0) {
            throw new UsageException("--ctx " + file + " is empty; give the raw bytes of struct __sk_buff or struct xdp_md");
        }
        return HexFormat.of().formatHex(bytes);
    }

    /** The context after the run, as {@code context out: mark=8 priority=6 ...}. */
    static String describe(byte[] out, String programType) {
        ByteBuffer c = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        StringJoiner line = new StringJoiner(" ", "context out: ", "");
        if (programType.equals("xdp")) {
            if (out.length >= 24) {
                line.add("data=" + u32(c, 0)).add("data_end=" + u32(c, 4)).add("ingress_ifindex=" + u32(c, 12)).add("rx_queue_index=" + u32(c, 16));
            }
            return line.toString();
        }
        if (out.length >= 192) {
            StringJoiner cb = new StringJoiner(", ", "[", "]");
            for (int i = 0; i < 5; i++) {
                cb.add(Long.toString(u32(c, 48 + 4 * i)));
            }
            line.add("mark=" + u32(c, 8)).add("priority=" + u32(c, 32)).add("ingress_ifindex=" + u32(c, 36)).add("ifindex=" + u32(c, 40)).add("cb=" + cb)
                            .add("tstamp=" + Long.toUnsignedString(c.getLong(152))).add("wire_len=" + u32(c, 160)).add("gso_segs=" + u32(c, 164))
                            .add("hwtstamp=" + Long.toUnsignedString(c.getLong(184)));
        }
        return line.toString();
    }

    private static long u32(ByteBuffer c, int offset) {
        return Integer.toUnsignedLong(c.getInt(offset));
    }
}
