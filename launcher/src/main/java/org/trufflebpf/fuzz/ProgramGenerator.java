package org.trufflebpf.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates random programs that the verifier accepts by construction, as assembly text: an object with an
 * array map, a prog array and two raw programs ({@code main}, and {@code tail} that prog-array slot 0 holds,
 * slot 1 holding {@code main}), each with a subprogram. Every register and the 80-byte stack area are written
 * before any read; calls are followed by fresh values for the registers they clobber; jumps go forward to
 * labels in the same body, except the back edge of counted loops whose counter the loop body never writes.
 * Pointers (the input in r9, r10, map values) never reach r0, memory or maps, so outcomes do not depend on
 * where each engine's memory lies. Values lean to edge cases (0, ±1, INT_MIN/MAX, 32-bit boundaries).
 * The input is {@link #INPUT_BYTES} bytes; bodies touch {@code [0, 56)}, the epilogue stores r0..r8 after it.
 * tc and XDP programs reach their packet directly, so as the kernel wants (and our verifier, which then drops the
 * engines' run-time checks) every function proves its accesses: it compares r9 plus {@link #INPUT_BYTES} with
 * data_end (one of the eight forms of that comparison), returns 0 for a shorter packet, and reloads and re-checks r9
 * after {@code xdp_adjust_head} and after a call of a subprogram (which may have moved the packet).
 * <p>
 * Given a packet context ({@code bpf fuzz --context xdp|tc|socket}), programs are kernel-grade: the host kernel's
 * verifier accepts them too, so that they run on all three engines. Entry functions check the packet's bounds
 * (shorter packets return 0 at once) and check them again after {@code xdp_adjust_head}, which only entry functions
 * call; socket filters reach the packet through {@code skb_load_bytes} (the kernel gives them no direct access), and
 * socket and tc entry functions also through LD_ABS and LD_IND; context writes are those the kernel allows the type;
 * subprograms make no tail calls (the kernel wants BTF for that, which we do not load), there is no {@code callx}, no
 * atomic on the packet, no out-of-bounds offset, no {@code bpf_trace_printk} (it writes to the host's trace buffer)
 * and no helper whose value is each engine's own.
 */
public final class ProgramGenerator {
    public static final int INPUT_BYTES = 128;
    private static final int BODY_INPUT_BYTES = 56;
    private static final long[] EDGES = {0, 1, -1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, Integer.MAX_VALUE,
                    Integer.MIN_VALUE, 0xffffffffL, 0x80000000L, 0x100000000L, 0x7fffffffffffffffL, Long.MIN_VALUE, -0x80000001L, 0x0123456789abcdefL};
    private static final String[] ALU = {"add", "sub", "mul", "div", "sdiv", "mod", "smod", "or", "and", "xor", "lsh", "rsh", "arsh", "mov"};
    private static final String[] JUMPS = {"jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset"};
    private static final String[] SIZES = {"b", "h", "w", "dw"};
    /** The sizes LD_ABS and LD_IND have. */
    private static final String[] LEGACY_SIZES = {"b", "h", "w"};
    private static final String[] ATOMIC_OPS = {"add", "and", "or", "xor"};
    private static final String[] PURE_HELPERS = {"ktime_get_ns", "get_prandom_u32", "get_smp_processor_id", "ktime_get_boot_ns", "get_current_pid_tgid"};

    /** A generated case: the assembly text and the input memory. */
    public record Generated(String text, byte[] input) {
    }

    private final SplittableRandom random;
    private final int bodyLength;
    /** Null: any context, programs for our verifier; else the packet context of kernel-grade programs. */
    private final String kernelContext;
    /** Whether the function being written is a program's entry function. */
    private boolean inEntry;
    /**
     * The label of the early return for packets too short: kernel-grade tc and XDP entry functions, and every
     * function of the other tc and XDP programs.
     */
    private String bail;
    /** Whether some check jumps to {@link #bail}: otherwise its return would be unreachable. */
    private boolean bailUsed;
    private final StringBuilder out = new StringBuilder();
    private int labels;
    /** The programs' type: raw (r1 = the input), tc, xdp or socket (r1 = the context over the input packet). */
    private String type;
    private boolean subprogramCalled;
    private boolean tailCallsAllowed;
    /** Map loads emitted so far (see {@link #mapReference}). */
    private int mapLoads;

    private ProgramGenerator(long seed, int bodyLength, String kernelContext) {
        this.random = new SplittableRandom(seed);
        this.bodyLength = bodyLength;
        this.kernelContext = kernelContext;
    }

    /** The program for a seed: the same seed and body length always give the same text and input. */
    public static Generated generate(long seed, int bodyLength) {
        return new ProgramGenerator(seed, bodyLength, null).generate();
    }

    /** Packet contexts of kernel-grade programs, as {@code --context} names them. */
    public static final List<String> KERNEL_CONTEXTS = List.of("xdp", "tc", "socket");

    /** A kernel-grade program (see the class comment) of a packet context: {@code xdp}, {@code tc} or {@code socket}. */
    public static Generated generateForKernel(long seed, int bodyLength, String context) {
        if (!KERNEL_CONTEXTS.contains(context)) {
            throw new IllegalArgumentException("no kernel-grade programs for context '" + context + "' (xdp, tc or socket)");
        }
        return new ProgramGenerator(seed, bodyLength, context).generate();
    }

    private boolean kernelGrade() {
        return kernelContext != null;
    }

    private Generated generate() {
        int t = random.nextInt(100);
        type = kernelGrade() ? kernelContext : t < 40 ? "raw" : t < 60 ? "tc" : t < 85 ? "xdp" : "socket";
        out.append(".map arr array key=4 value=8 entries=4\n");
        out.append(".map h hash key=4 value=8 entries=3\n");
        out.append(".map pc percpu_array key=4 value=8 entries=2\n");
        out.append(".map jt prog_array key=4 value=4 entries=3\n");
        out.append(".map rb ringbuf key=0 value=0 entries=4096\n");
        out.append(".global .data size=32\n");
        out.append(".slot jt 0 tail\n.slot jt 1 main\n");
        program("main", bodyLength);
        program("tail", Math.max(4, bodyLength / 4));
        byte[] input = new byte[INPUT_BYTES];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : new int[] {0, 0xff, 0x80, 0x7f, 1}[random.nextInt(5)]);
        }
        if (random.nextInt(16) == 0) {
            // Now and then a short input (even empty): accesses beyond it must fail alike.
            input = Arrays.copyOf(input, random.nextInt(INPUT_BYTES));
        }
        return new Generated(out.toString(), input);
    }

    /** A raw program: its entry function then its subprogram, both over the input in r9. */
    private void program(String name, int length) {
        out.append(".program ").append(name).append(' ').append(type).append('\n');
        // A chain of one to three subprograms, each calling the next.
        int depth = 1 + random.nextInt(3);
        tailCallsAllowed = true;
        function(length, name + "_sub", true);
        for (int d = 1; d <= depth; d++) {
            out.append(name).append("_sub").append(d == 1 ? "" : Integer.toString(d)).append(":\n");
            // The kernel's rule: a subprogram that tail calls runs under callers' frames of less than 256 bytes (96 each here).
            // It also wants BTF for a subprogram that tail calls, which kernel-grade programs do not have.
            tailCallsAllowed = d <= 2 && !kernelGrade();
            function(Math.max(3, length / 3), d < depth ? name + "_sub" + (d + 1) : null, false);
        }
    }

    /**
     * r9 = the input (raw memory, the packet's data, or for a socket filter a stack copy of the packet's first
     * bytes), the context (what tail calls pass on) at r10-88; every
     * other register and the stack written; the body; results folded into r0 and stored after the body's bytes.
     * A subprogram gets the input in r1 and the context in r2.
     */
    private void function(int length, String subprogram, boolean entry) {
        inEntry = entry;
        if (entry) {
            emit("stxdw [%r10-88], %r1");
            switch (type) {
                case "raw" -> emit("mov %r9, %r1");
                case "xdp" -> emit("ldxw %r9, [%r1+0]");
                case "tc" -> emit("ldxw %r9, [%r1+76]");
                default -> {
                    if (kernelGrade()) {
                        // Kernel-grade socket filters read the packet through skb_load_bytes at each access: r9 is a
                        // number they pass around.
                        emit("mov %r9, 0");
                    } else {
                        // A socket filter may not read skb->data (the kernel refuses it, and our verifier): its input
                        // is a copy of the packet's first bytes on the stack, made once the stack is written (see below).
                        emit("mov %r9, %r10");
                        emit("add %r9, -64");
                    }
                }
            }
            if (directPacket()) {
                bail = "L" + (labels++);
                bailUsed = false;
                checkPacketBounds();
            }
            if (!type.equals("raw") && random.nextBoolean()) {
                contextFields();
            }
        } else {
            emit("mov %r9, %r1");
            emit("stxdw [%r10-88], %r2");
            if (directPacket() && !kernelGrade()) {
                // The caller's bounds check reaches r9 here; this label serves the re-checks after packet moves.
                bail = "L" + (labels++);
                bailUsed = false;
            }
        }
        for (int r = entry ? 0 : 6; r <= 8; r++) {
            emit(setValue(r));
        }
        if (!entry) {
            // r1, r2 and r5 held pointers, which must not leak into results.
            for (int r : new int[] {0, 1, 2}) {
                emit(setValue(r));
            }
            for (int n = random.nextInt(4); n > 0; n--) {
                int size = random.nextInt(4);
                int offset = (1 << size) * random.nextInt(24 >> size);
                int reg = 6 + random.nextInt(3);
                emit(random.nextBoolean() ? "ldx" + SIZES[size] + " %r" + reg + ", [%r5+" + offset + "]"
                                : "st" + SIZES[size] + " [%r5+" + offset + "], " + (int) value());
            }
            emit(setValue(5));
        }
        for (int off = 8; off <= 80; off += 8) {
            emit("stxdw [%r10-" + off + "], %r" + random.nextInt(9));
        }
        if (entry && type.equals("socket") && !kernelGrade()) {
            emit("ldxdw %r1, [%r10-88]");
            emit("mov %r2, 0");
            emit("mov %r3, %r9");
            emit("mov %r4, " + BODY_INPUT_BYTES);
            emit("call skb_load_bytes");
            for (int r = 0; r <= 5; r++) {
                emit(setValue(r));
            }
        }
        subprogramCalled = false;
        body(length, subprogram, List.of(), true);
        if (subprogram != null && !subprogramCalled) {
            // Every instruction must be reachable: the subprogram is called at least once.
            callSubprogram(subprogram);
        }
        for (int r = 0; r <= 8; r++) {
            if (type.equals("socket")) {
                // A socket filter may not write its packet: fold the registers into r0 instead.
                emit("mul %r0, 31");
                emit("xor %r0, %r" + r);
            } else {
                emit("stxdw [%r9+" + (BODY_INPUT_BYTES + 8 * r) + "], %r" + r);
            }
        }
        for (int off = 8; off <= 64; off += 8) {
            emit("ldxdw %r1, [%r10-" + off + "]");
            emit("mul %r0, 31");
            emit("xor %r0, %r1");
        }
        emit("exit");
        if (bail != null && bailUsed) {
            out.append(bail).append(":\n");
            emit("mov %r0, 0");
            emit("exit");
        }
        bail = null;
    }

    /**
     * Kernel-grade: r9 (the packet's start) plus {@link #INPUT_BYTES} beyond the packet's end returns 0, so that the
     * kernel's verifier knows every access through r9 to be in bounds. r1 holds the context.
     */
    private void checkPacketBounds() {
        bailUsed = true;
        emit("ldxw %r2, [%r1+" + (type.equals("xdp") ? 4 : 80) + "]");
        emit("mov %r3, %r9");
        if (kernelGrade()) {
            emit("add %r3, " + INPUT_BYTES);
            emit("jgt %r3, %r2, " + bail);
            return;
        }
        // Any of the eight forms (r3 on either side, strict or not, jumping to the bail or over it) proves the
        // same range; a strict comparison proves one byte more than its offset, so it compares r9+127.
        int form = random.nextInt(8);
        boolean strict = form >= 4;
        emit("add %r3, " + (strict ? INPUT_BYTES - 1 : INPUT_BYTES));
        String jumpToBail = new String[] {"jgt %r3, %r2", "jlt %r2, %r3", "jge %r3, %r2", "jle %r2, %r3"}[form / 2];
        String jumpOverBail = new String[] {"jle %r3, %r2", "jge %r2, %r3", "jlt %r3, %r2", "jgt %r2, %r3"}[form / 2];
        if (form % 2 == 0) {
            emit(jumpToBail + ", " + bail);
        } else {
            String inBounds = "L" + (labels++);
            emit(jumpOverBail + ", " + inBounds);
            emit("ja " + bail);
            out.append(inBounds).append(":\n");
        }
    }

    /** tc and XDP programs (not socket filters) access their packet directly, through r9. */
    private boolean directPacket() {
        return type.equals("xdp") || type.equals("tc");
    }

    /** r9 afresh from the context (spilled at r10-88), and its bounds checked again. */
    private void reloadPacket() {
        emit("ldxdw %r1, [%r10-88]");
        emit("ldxw %r9, [%r1+" + (type.equals("xdp") ? 0 : 76) + "]");
        checkPacketBounds();
    }

    /** A body of {@code length} items; forward jumps land on labels between items; {@code fixed} registers stay untouched. */
    private void body(int length, String subprogram, List<Integer> fixed, boolean loopsAllowed) {
        String[] labelBefore = new String[length + 1];
        for (int i = 0; i < length; i++) {
            if (labelBefore[i] != null) {
                out.append(labelBefore[i]).append(":\n");
            }
            int kind = random.nextInt(100);
            if (kind < 12) {
                // Mostly short hops; sometimes to the end of the body, which x86 encodes with a 32-bit offset.
                int target = random.nextInt(8) == 0 ? length : Math.min(length, i + 1 + random.nextInt(6));
                if (labelBefore[target] == null) {
                    labelBefore[target] = "L" + (labels++);
                }
                String suffix = random.nextBoolean() ? "32" : "";
                emit(pick(JUMPS) + suffix + " %r" + src() + ", " + operand() + ", " + labelBefore[target]);
            } else if (kind < 60) {
                alu(fixed);
            } else if (kind < 68) {
                stack(fixed);
            } else if (kind < 76) {
                input(fixed);
            } else if (kind < 80) {
                emit("lddw %r" + dst(fixed) + ", " + value());
            } else if (kind < 84) {
                pureHelper();
            } else if (kind < 88) {
                mapSnippet(fixed);
            } else if (kind < 90) {
                if (tailCallsAllowed) {
                    tailCall();
                } else {
                    alu(fixed);
                }
            } else if (kind < 91) {
                packetHelper(fixed);
            } else if (kind < 92) {
                if (random.nextInt(3) == 0 && !kernelGrade()) {
                    tracePrintk();
                } else {
                    ringBuffer();
                }
            } else if (kind < 93) {
                if (random.nextBoolean()) {
                    stackThroughRegister(fixed);
                } else {
                    globalData(fixed);
                }
            } else if (kind < 95 && subprogram != null) {
                callSubprogram(subprogram);
            } else if (kind < 97 && loopsAllowed && fixed.isEmpty()) {
                loop(subprogram);
            } else if (kind < 99 && loopsAllowed) {
                diamond(subprogram, fixed);
            } else {
                alu(fixed);
            }
        }
        if (labelBefore[length] != null) {
            out.append(labelBefore[length]).append(":\n");
        }
    }

    private void callSubprogram(String subprogram) {
        emit("mov %r1, %r9");
        emit("ldxdw %r2, [%r10-88]");
        for (int r = 3; r <= 4; r++) {
            emit(setValue(r));
        }
        // r5 points into this frame ([r10-32, r10-8)): the callee reads and writes its caller's stack through it.
        emit("mov %r5, %r10");
        emit("add %r5, -32");
        emit("call local " + subprogram);
        if (directPacket() && !kernelGrade()) {
            // The callee may have moved the packet (xdp_adjust_head, or a callx the verifier cannot see through).
            reloadPacket();
        }
        clobbered(false);
        subprogramCalled = true;
    }

    /** 8-byte formats (NUL-padded) with up to three conversions the kernel accepts. */
    private static final String[] FORMATS = {"%d %x\n", "%llx\n", "%u%i%d\n", "%lld%%\n", "%c%X%u\n", "x%li\n"};

    /** bpf_trace_printk of registers r3..r5 with a format built on the stack at r10-64. */
    private void tracePrintk() {
        byte[] format = Arrays.copyOf(FORMATS[random.nextInt(FORMATS.length)].getBytes(StandardCharsets.US_ASCII), 8);
        long packed = ByteBuffer.wrap(format).order(ByteOrder.LITTLE_ENDIAN).getLong();
        emit("lddw %r1, " + packed);
        emit("stxdw [%r10-64], %r1");
        emit("mov %r1, %r10");
        emit("add %r1, -64");
        emit("mov %r2, 8");
        for (int r = 3; r <= 5; r++) {
            emit("mov %r" + r + ", %r" + new int[] {0, 6, 7, 8}[random.nextInt(4)]);
        }
        emit("call trace_printk");
        clobbered(false);
    }

    /** A ring buffer record: output from the stack, or reserve, fill and submit or discard. */
    private void ringBuffer() {
        if (random.nextBoolean()) {
            emit("lddw %r1, " + mapReference(false) + "rb");
            emit("mov %r2, %r10");
            emit("add %r2, -" + 8 * (1 + random.nextInt(8)));
            emit("mov %r3, " + (1 + random.nextInt(8)));
            emit("mov %r4, 0");
            emit("call ringbuf_output");
        } else {
            emit("lddw %r1, " + mapReference(false) + "rb");
            emit("mov %r2, " + (8 + 8 * random.nextInt(3)));
            emit("mov %r3, 0");
            emit("call ringbuf_reserve");
            String skip = "L" + (labels++);
            emit("jeq %r0, 0, " + skip);
            emit("stxdw [%r0+0], %r" + (6 + random.nextInt(3)));
            emit("mov %r1, %r0");
            emit("mov %r2, 0");
            emit(random.nextInt(3) == 0 ? "call ringbuf_discard" : "call ringbuf_submit");
            out.append(skip).append(":\n");
            emit("mov %r0, " + random.nextInt(5));
        }
        clobbered(false);
    }

    /** A load, store or atomic add on global data (a one-entry array map); the pointer is overwritten after. */
    private void globalData(List<Integer> fixed) {
        int reg = dst(fixed);
        int size = random.nextInt(4);
        int base = random.nextBoolean() ? 0 : 8;
        // In bounds of the 32-byte .data from base, aligned to the access size.
        int offset = (1 << size) * random.nextInt((32 - base) >> size);
        emit("lddw %r" + reg + ", " + mapReference(true) + ".data+" + base);
        int other;
        do {
            other = dst(fixed);
        } while (other == reg);
        String at = "[%r" + reg + "+" + offset + "]";
        switch (random.nextInt(3)) {
            case 0 -> emit("ldx" + SIZES[size] + " %r" + other + ", " + at);
            case 1 -> emit("stx" + SIZES[size] + " " + at + ", %r" + other);
            default -> emit(size == 3 ? "lock add " + at + ", %r" + other : "st" + SIZES[size] + " " + at + ", " + (int) value());
        }
        emit(setValue(reg));
    }

    /** A stack access through a register holding r10 minus a constant; the pointer is overwritten after. */
    private void stackThroughRegister(List<Integer> fixed) {
        int reg = dst(fixed);
        int base = 8 * (1 + random.nextInt(7));
        emit("mov %r" + reg + ", %r10");
        emit("add %r" + reg + ", -" + base);
        int size = random.nextInt(4);
        int offset = -(1 << size) * random.nextInt(8 / (1 << size) + 1);
        if (-base + offset < -64) {
            offset = 0;
        }
        int other;
        do {
            other = dst(fixed);
        } while (other == reg);
        if (random.nextBoolean()) {
            emit("ldx" + SIZES[size] + " %r" + other + ", [%r" + reg + (offset < 0 ? "" : "+") + offset + "]");
        } else {
            emit("stx" + SIZES[size] + " [%r" + reg + (offset < 0 ? "" : "+") + offset + "], %r" + other);
        }
        emit(setValue(reg));
    }

    /** if-else: a conditional jump over the then-part, which ends in {@code ja} (or {@code ja32}) over the else-part. */
    private void diamond(String subprogram, List<Integer> fixed) {
        String otherwise = "L" + (labels++);
        String end = "L" + (labels++);
        emit(pick(JUMPS) + (random.nextBoolean() ? "32" : "") + " %r" + src() + ", " + operand() + ", " + otherwise);
        body(1 + random.nextInt(4), subprogram, fixed, false);
        emit((random.nextInt(4) == 0 ? "ja32 " : "ja ") + end);
        out.append(otherwise).append(":\n");
        body(1 + random.nextInt(4), subprogram, fixed, false);
        out.append(end).append(":\n");
    }

    /** A counted loop; rarely one that runs until the budget stops it. */
    private void loop(String subprogram) {
        int counter = 6 + random.nextInt(3);
        String head = "L" + (labels++);
        emit("mov %r" + counter + ", 0");
        out.append(head).append(":\n");
        body(2 + random.nextInt(6), subprogram, List.of(counter), false);
        emit("add %r" + counter + ", 1");
        // Kernel-grade loops end: the kernel's verifier walks every trip.
        int trips = random.nextInt(20) == 0 && !kernelGrade() ? 1_000_000 : 1 + random.nextInt(8);
        emit((random.nextBoolean() ? "jlt" : "jlt32") + " %r" + counter + ", " + trips + ", " + head);
    }

    private void alu(List<Integer> fixed) {
        int dst = dst(fixed);
        String suffix = random.nextBoolean() ? "32" : "";
        switch (random.nextInt(10)) {
            case 0 -> emit("neg" + suffix + " %r" + dst);
            case 1 -> emit(pick(new String[] {"movsx832", "movsx864", "movsx1632", "movsx1664", "movsx3264"}) + " %r" + dst + ", %r" + src());
            case 2 -> emit(pick(new String[] {"le", "be", "bswap"}) + new int[] {16, 32, 64}[random.nextInt(3)] + " %r" + dst);
            case 3 -> {
                // Division and shifts by register, with r0/r3/r4 (which x86 uses for div and shifts) on either side.
                int d = fixed.contains(0) ? dst : new int[] {0, 3, 4, dst}[random.nextInt(4)];
                d = fixed.contains(d) ? dst : d;
                int s = new int[] {0, 3, 4, src()}[random.nextInt(4)];
                emit(pick(new String[] {"div", "mod", "sdiv", "smod", "lsh", "rsh", "arsh"}) + suffix + " %r" + d + ", %r" + s);
            }
            default -> {
                String op = pick(ALU);
                boolean shift = op.endsWith("sh");
                String operand;
                if (shift && random.nextInt(3) != 0) {
                    operand = Integer.toString(random.nextInt(suffix.isEmpty() ? 64 : 32));
                } else if (shift) {
                    operand = "%r" + src();
                } else {
                    operand = operand();
                    if (op.contains("div") || op.contains("mod")) {
                        // Division by a zero immediate is rejected at load time (as in Linux); by a zero register it is defined.
                        operand = operand.equals("0") ? "-1" : operand;
                    }
                }
                emit(op + suffix + " %r" + dst + ", " + operand);
            }
        }
    }

    /** Loads, stores and atomics at aligned offsets of the stack area [r10-64, r10). */
    private void stack(List<Integer> fixed) {
        int size = random.nextInt(4);
        int bytes = 1 << size;
        int offset = -8 * (1 + random.nextInt(8)) + bytes * random.nextInt(8 / bytes);
        memory("%r10", offset, size, fixed);
    }

    /** The same on the input, at in-bounds constant offsets from r9. */
    private void input(List<Integer> fixed) {
        int size = random.nextInt(4);
        int bytes = 1 << size;
        int offset = bytes * random.nextInt(BODY_INPUT_BYTES / bytes);
        if (kernelGrade()) {
            packetForKernel(offset, size, fixed);
            return;
        }
        if (random.nextInt(150) == 0 && type.equals("raw")) {
            // Rarely out of bounds: both engines must stop at the same instruction with the same message. (Only a
            // raw program's input, whose size the verifier does not know: it refuses an access beyond a socket
            // filter's frame or beyond a packet's proven range.)
            // Within the runtime's guard bytes around the input, so that no other region is near (ProgramContexts.GUARD_BYTES).
            offset = new int[] {INPUT_BYTES, INPUT_BYTES - 4, -8, INPUT_BYTES + 200}[random.nextInt(4)];
        }
        if (type.equals("socket")) {
            String at = "[%r9+" + offset + "]";
            emit((random.nextBoolean() && size < 3 ? "ldxs" : "ldx") + SIZES[size] + " %r" + dst(fixed) + ", " + at.replace("+-", "-"));
            return;
        }
        memory("%r9", offset, size, fixed);
    }

    /**
     * Kernel-grade packet accesses in bounds ({@link #checkPacketBounds}), no atomics (the kernel allows none on
     * packets); socket filters copy the bytes to the stack with skb_load_bytes and load them from there.
     */
    private void packetForKernel(int offset, int size, List<Integer> fixed) {
        if (!type.equals("socket")) {
            memory("%r9", offset, size, fixed, false);
            return;
        }
        emit("ldxdw %r1, [%r10-88]");
        emit("mov %r2, " + offset);
        emit("mov %r3, %r10");
        emit("add %r3, -64");
        emit("mov %r4, " + (1 << size));
        emit("call skb_load_bytes");
        clobbered(false);
        emit((random.nextBoolean() && size < 3 ? "ldxs" : "ldx") + SIZES[size] + " %r" + dst(fixed) + ", [%r10-64]");
    }

    /**
     * Reads of context fields, and writes of those the kernel lets programs write (skb mark, priority, cb; a socket
     * filter only cb, and no wire_len read, as the kernel, and so our verifier, allows socket filters).
     */
    private void contextFields() {
        emit("ldxdw %r1, [%r10-88]");
        boolean socket = type.equals("socket");
        int[] readable = type.equals("xdp") ? new int[] {12, 16} : socket ? new int[] {0, 4, 8, 16, 36, 40, 48} : new int[] {0, 4, 8, 16, 36, 40, 48, 160};
        int reg = 6 + random.nextInt(3);
        emit("ldxw %r" + reg + ", [%r1+" + readable[random.nextInt(readable.length)] + "]");
        if (!type.equals("xdp")) {
            int[] writable = socket ? new int[] {48, 52, 56} : new int[] {8, 32, 48, 52, 56};
            emit("stw [%r1+" + writable[random.nextInt(writable.length)] + "], " + (int) value());
            emit("stxw [%r1+" + writable[random.nextInt(writable.length)] + "], %r" + reg);
        }
    }

    /** ld_abs/ld_ind on socket and tc programs (r6: anything initialised), adjust_head on XDP, load_bytes on skb. */
    private void packetHelper(List<Integer> fixed) {
        if (kernelGrade()) {
            packetHelperForKernel(fixed);
            return;
        }
        switch (type) {
            case "xdp" -> {
                int delta = new int[] {0, 0, -8, 8, 14, -64, 200, -300}[random.nextInt(8)];
                emit("ldxdw %r1, [%r10-88]");
                emit("mov %r2, " + delta);
                emit("call xdp_adjust_head");
                // Packet pointers are stale now, whether or not the packet moved (as in the kernel).
                reloadPacket();
                clobbered(false);
            }
            case "tc", "socket" -> {
                String size = pick(LEGACY_SIZES);
                switch (random.nextInt(3)) {
                    case 0 -> legacyPacketLoad(size, true, fixed);
                    case 1 -> legacyPacketLoad(size, false, fixed);
                    default -> {
                        skbLoadBytes();
                    }
                }
                clobbered(false);
            }
            default -> alu(fixed);
        }
    }

    /** An LD_ABS ({@code absolute}) or LD_IND of {@code size} ("b", "h" or "w") at an offset now and then past the packet's end. */
    private void legacyPacketLoad(String size, boolean absolute, List<Integer> fixed) {
        if (absolute) {
            emit("ldabs" + size + " " + (random.nextInt(10) == 0 ? INPUT_BYTES - 1 : random.nextInt(64)));
        } else {
            int index;
            do {
                index = dst(fixed);
            } while (kernelGrade() && index == 6);
            emit("mov %r" + index + ", " + random.nextInt(40));
            emit("ldind" + size + " %r" + index + ", " + random.nextInt(24));
        }
    }

    /** skb_load_bytes of up to 16 bytes from a random offset (now and then near the end) to the stack at r10-64. */
    private void skbLoadBytes() {
        emit("ldxdw %r1, [%r10-88]");
        emit("mov %r2, " + (random.nextInt(10) == 0 ? INPUT_BYTES - 2 : random.nextInt(60)));
        emit("mov %r3, %r10");
        emit("add %r3, -64");
        emit("mov %r4, " + (1 + random.nextInt(16)));
        emit("call skb_load_bytes");
    }

    /**
     * Kernel-grade packet helpers: xdp_adjust_head in entry functions only (it invalidates every packet pointer,
     * callers' too), followed by a fresh r9 and bounds check; on skb, skb_load_bytes, or in entry functions LD_ABS and
     * LD_IND (the kernel refuses them in subprograms of a program without BTF), with the context in r6 as the kernel
     * wants it there, and r6 written afresh after so that the pointer goes no further.
     */
    private void packetHelperForKernel(List<Integer> fixed) {
        if (type.equals("xdp") && inEntry) {
            int delta = new int[] {0, 0, -8, 8, 14, -64, 200, -300}[random.nextInt(8)];
            emit("ldxdw %r1, [%r10-88]");
            emit("mov %r2, " + delta);
            emit("call xdp_adjust_head");
            emit("ldxdw %r1, [%r10-88]");
            emit("ldxw %r9, [%r1+0]");
            checkPacketBounds();
            clobbered(false);
        } else if (!type.equals("xdp")) {
            if (inEntry && !fixed.contains(6) && random.nextInt(3) != 0) {
                emit("ldxdw %r6, [%r10-88]");
                legacyPacketLoad(pick(LEGACY_SIZES), random.nextBoolean(), fixed);
                emit(setValue(6));
            } else {
                skbLoadBytes();
            }
            clobbered(false);
        } else {
            alu(fixed);
        }
    }

    private void memory(String base, int offset, int size, List<Integer> fixed) {
        memory(base, offset, size, fixed, true);
    }

    private void memory(String base, int offset, int size, List<Integer> fixed, boolean atomics) {
        String at = "[" + base + (offset >= 0 ? "+" : "") + offset + "]";
        switch (atomics ? random.nextInt(6) : random.nextInt(4)) {
            case 0 -> emit("ldx" + SIZES[size] + " %r" + dst(fixed) + ", " + at);
            case 1 -> emit((size < 3 ? "ldxs" : "ldx") + SIZES[size] + " %r" + dst(fixed) + ", " + at);
            case 2 -> emit("st" + SIZES[size] + " " + at + ", " + (int) value());
            case 3 -> emit("stx" + SIZES[size] + " " + at + ", %r" + src());
            default -> {
                if (size < 2) {
                    emit("stx" + SIZES[size] + " " + at + ", %r" + src());
                    return;
                }
                String wide = size == 3 ? "" : "32";
                // fetch, xchg and cmpxchg write a register (cmpxchg: r0), which must not be a fixed one.
                int reg = dst(fixed);
                switch (random.nextInt(4)) {
                    case 0 -> emit("lock " + pick(ATOMIC_OPS) + wide + " " + at + ", %r" + src());
                    case 1 -> emit("lock fetch " + pick(ATOMIC_OPS) + wide + " " + at + ", %r" + reg);
                    case 2 -> emit("lock xchg" + wide + " " + at + ", %r" + reg);
                    default -> emit(fixed.contains(0) ? "lock add" + wide + " " + at + ", %r" + src() : "lock cmpxchg" + wide + " " + at + ", %r" + src());
                }
            }
        }
    }

    private void pureHelper() {
        if (kernelGrade()) {
            // The runs are pinned to bpf.Cpu in the kernel: the one helper here whose value all three engines share.
            emit("call get_smp_processor_id");
            clobbered(false);
            return;
        }
        int which = random.nextInt(PURE_HELPERS.length);
        if (random.nextInt(4) == 0) {
            // callx: the helper id in a register (the same known id on every path).
            int reg = 1 + random.nextInt(5);
            emit("mov %r" + reg + ", helper:" + PURE_HELPERS[which]);
            emit("call %r" + reg);
        } else {
            emit("call " + PURE_HELPERS[which]);
        }
        clobbered(false);
    }

    /** Lookup (then a load, store or atomic add on the value), update or delete on the array map. */
    private void mapSnippet(List<Integer> fixed) {
        int key = random.nextInt(6) < 5 ? random.nextInt(4) : 4 + random.nextInt(2);
        emit("stw [%r10-72], " + key);
        emit("lddw %r1, " + mapReference(false) + new String[] {"arr", "arr", "h", "pc"}[random.nextInt(4)]);
        emit("mov %r2, %r10");
        emit("add %r2, -72");
        switch (random.nextInt(3)) {
            case 0 -> {
                emit("call map_lookup_elem");
                String skip = "L" + (labels++);
                emit("jeq %r0, 0, " + skip);
                int value = 1 + random.nextInt(8);
                switch (random.nextInt(4)) {
                    case 0 -> emit("ldxdw %r" + dstNot0(fixed) + ", [%r0+0]");
                    case 1 -> emit("ldxw %r" + dstNot0(fixed) + ", [%r0+4]");
                    case 2 -> emit("stxdw [%r0+0], %r" + (6 + random.nextInt(3)));
                    default -> emit("lock add [%r0+0], %r" + (6 + random.nextInt(3)));
                }
                out.append(skip).append(":\n");
                emit("mov %r0, " + value);
            }
            case 1 -> {
                emit("stxdw [%r10-80], %r" + (6 + random.nextInt(3)));
                emit("mov %r3, %r10");
                emit("add %r3, -80");
                emit("mov %r4, " + random.nextInt(3));
                emit("call map_update_elem");
            }
            default -> emit("call map_delete_elem");
        }
        clobbered(false);
    }

    /** A tail call through the prog array: slot 0 (tail), 1 (main), 2 (empty) or out of range. */
    private void tailCall() {
        emit("ldxdw %r1, [%r10-88]");
        emit("lddw %r2, " + mapReference(false) + "jt");
        emit("mov %r3, " + random.nextInt(5));
        emit("call tail_call");
        clobbered(true);
    }

    /**
     * The prefix of a map load: {@code map:} or {@code map_value:}, and every third time the same load by map index
     * ({@code map_idx:}, {@code map_idx_value:}: lddw sources 5 and 6, as loaders that pass an fd_array emit them).
     * Counted rather than drawn, so that a seed gives the program it gave before but for these spellings.
     */
    private String mapReference(boolean value) {
        boolean byIndex = mapLoads++ % 3 == 2;
        return (byIndex ? "map_idx" : "map") + (value ? "_value:" : ":");
    }

    /** After a call r1-r5 are unreadable (and r0 after a tail call): write them afresh. */
    private void clobbered(boolean r0Too) {
        for (int r = r0Too ? 0 : 1; r <= 5; r++) {
            emit(setValue(r));
        }
    }

    private String setValue(int reg) {
        long v = value();
        return v == (int) v ? "mov %r" + reg + ", " + v : "lddw %r" + reg + ", " + v;
    }

    private long value() {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextLong();
            case 1 -> random.nextInt(-16, 17);
            default -> EDGES[random.nextInt(EDGES.length)];
        };
    }

    private String operand() {
        return random.nextBoolean() ? "%r" + src() : Integer.toString((int) value());
    }

    /** A source: any of r0..r8 (all scalars). */
    private int src() {
        return random.nextInt(9);
    }

    private int dst(List<Integer> fixed) {
        int r;
        do {
            r = random.nextInt(9);
        } while (fixed.contains(r));
        return r;
    }

    /** A destination other than r0, which holds the map value pointer at that point. */
    private int dstNot0(List<Integer> fixed) {
        int r;
        do {
            r = 1 + random.nextInt(8);
        } while (fixed.contains(r));
        return r;
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    private void emit(String line) {
        out.append("    ").append(line).append('\n');
    }
}
