package org.trufflebpf.fuzz;

import java.util.SplittableRandom;

/**
 * Generates XDP programs near the verifier's safety boundary, for {@code bpf fuzz --verifier}: each program is a
 * prologue (r6 = the context, r7 = the packet's start, r8 its end), one probe, and {@code out: r0 = XDP_PASS}. A
 * probe is one question a verifier must answer, in a safe or an unsafe variant chosen at random:
 * <ul>
 * <li>a map value used with its NULL check present, missing, inverted, made on a copy or made after the use;</li>
 * <li>a packet access after a bounds check that is too short, exact or long, written the wrong way round, 32-bit,
 * or missing;</li>
 * <li>a stack access at an offset from a value that is masked, compared, or unbounded;</li>
 * <li>arithmetic on each kind of pointer (context, packet, packet end, map value, map, stack): constant, bounded or
 * unbounded scalar, 32-bit, multiplication, negation, pointer minus pointer, then a use;</li>
 * <li>stack bytes read before they are written (never, partly, on one path), also as a helper's key;</li>
 * <li>registers read before they are written or after a call clobbered them;</li>
 * <li>map helpers' key and value pointers into the packet (checked or not), the context, a map value, or a stack
 * area too small;</li>
 * <li>context fields read or written at good and bad offsets and sizes.</li>
 * </ul>
 * Each program carries a tag naming its probe and variant, so that a verdict can be traced to its question.
 */
public final class VerifierGenerator {
    /** The value size of both maps: accesses are placed around its end. */
    static final int VALUE_BYTES = 16;
    private static final String[] SIZES = {"b", "h", "w", "dw"};

    /** A generated program and what it probes ({@code probe/variant...}). */
    public record Generated(String text, String tag) {
    }

    private final SplittableRandom random;
    private final StringBuilder out = new StringBuilder();
    private final StringBuilder tag = new StringBuilder();
    private int labels;

    private VerifierGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The program for a seed: the same seed always gives the same text. */
    public static Generated generate(long seed) {
        return new VerifierGenerator(seed).generate();
    }

    private Generated generate() {
        out.append(".map arr array key=4 value=").append(VALUE_BYTES).append(" entries=4\n");
        out.append(".map h hash key=4 value=").append(VALUE_BYTES).append(" entries=4\n");
        out.append(".program main xdp\n");
        emit("mov %r6, %r1");
        emit("ldxw %r7, [%r6+0]");
        emit("ldxw %r8, [%r6+4]");
        switch (random.nextInt(8)) {
            case 0 -> mapValueNullCheck();
            case 1 -> packetBounds();
            case 2 -> stackOffset();
            case 3 -> pointerArithmetic();
            case 4 -> uninitialisedStack();
            case 5 -> uninitialisedRegister();
            case 6 -> helperArguments();
            default -> contextAccess();
        }
        out.append("out:\n");
        emit("mov %r0, 2");
        emit("exit");
        return new Generated(out.toString(), tag.toString());
    }

    // Map values.

    /** A lookup whose result is used with its NULL check present, missing, inverted, on a copy or after the use. */
    private void mapValueNullCheck() {
        String map = random.nextBoolean() ? "arr" : "h";
        int key = random.nextInt(6);
        tag.append("map-value-null/").append(map).append(" key ").append(key);
        lookup(map, key);
        String access = valueAccess("%r0");
        switch (random.nextInt(6)) {
            case 0 -> {
                tag.append(", checked");
                emit("jeq %r0, 0, out");
                emit(access);
            }
            case 1 -> {
                tag.append(", not checked");
                emit(access);
            }
            case 2 -> {
                tag.append(", checked on a copy");
                emit("mov %r1, %r0");
                emit("jeq %r1, 0, out");
                emit(access);
            }
            case 3 -> {
                tag.append(", check inverted (used when NULL)");
                emit("jne %r0, 0, out");
                emit(access);
            }
            case 4 -> {
                tag.append(", used before the check");
                emit(access);
                emit("jeq %r0, 0, out");
            }
            default -> {
                tag.append(", checked against 1");
                emit("jeq %r0, 1, out");
                emit(access);
            }
        }
    }

    /** {@code r0 = lookup(map, &key)} with the key written at r10-4. */
    private void lookup(String map, int key) {
        emit("stw [%r10-4], " + key);
        emit("lddw %r1, map:" + map);
        emit("mov %r2, %r10");
        emit("add %r2, -4");
        emit("call map_lookup_elem");
    }

    /** A load or store through {@code reg} around the value's bounds: inside, at the last bytes, one past, before. */
    private String valueAccess(String reg) {
        int size = random.nextInt(4);
        int bytes = 1 << size;
        int offset = switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> VALUE_BYTES - bytes;
            case 2 -> VALUE_BYTES - bytes + 1;
            case 3 -> VALUE_BYTES;
            case 4 -> -bytes;
            default -> bytes * random.nextInt(VALUE_BYTES / bytes);
        };
        tag.append(", ").append(bytes).append(" bytes at ").append(offset);
        return access(reg, offset, size);
    }

    private String access(String reg, int offset, int size) {
        String at = "[" + reg + (offset < 0 ? "" : "+") + offset + "]";
        return random.nextBoolean() ? "ldx" + SIZES[size] + " %r3, " + at : "st" + SIZES[size] + " " + at + ", 7";
    }

    // Packets.

    /** A bounds check of {@code data + n} against the end, then an access of some size at some offset. */
    private void packetBounds() {
        int n = new int[] {1, 2, 4, 8, 14, 20, 34, 64}[random.nextInt(8)];
        int size = random.nextInt(4);
        int bytes = 1 << size;
        int offset = switch (random.nextInt(6)) {
            case 0 -> n - bytes;
            case 1 -> n - bytes + 1;
            case 2 -> Math.max(0, n - bytes - 1);
            case 3 -> 0;
            case 4 -> n;
            default -> -1;
        };
        tag.append("packet-bounds/checked ").append(n).append(", ").append(bytes).append(" bytes at ").append(offset);
        emit("mov %r1, %r7");
        emit("add %r1, " + n);
        switch (random.nextInt(7)) {
            case 0 -> {
                tag.append(", jgt end");
                emit("jgt %r1, %r8, out");
            }
            case 1 -> {
                tag.append(", jge end");
                emit("jge %r1, %r8, out");
            }
            case 2 -> {
                tag.append(", jlt end (swapped)");
                emit("jlt %r8, %r1, out");
            }
            case 3 -> {
                tag.append(", check inverted");
                emit("jle %r1, %r8, out");
            }
            case 4 -> tag.append(", no check");
            case 5 -> {
                tag.append(", 32-bit compare");
                emit("jgt32 %r1, %r8, out");
            }
            default -> {
                tag.append(", checked against the start");
                emit("jgt %r1, %r7, out");
            }
        }
        if (random.nextInt(4) == 0) {
            // Through a pointer derived after the check.
            tag.append(", through a copy moved by ").append(offset);
            emit("mov %r2, %r7");
            emit("add %r2, " + offset);
            emit(access("%r2", 0, size));
        } else {
            emit(access("%r7", offset, size));
        }
    }

    // Stack.

    /** r9 from the packet or a random number, bounded (or not), added to a frame pointer, then an access there. */
    private void stackOffset() {
        tag.append("stack-offset/");
        emit("mov %r1, %r7");
        emit("add %r1, 8");
        emit("jgt %r1, %r8, out");
        switch (random.nextInt(4)) {
            case 0 -> {
                tag.append("packet byte");
                emit("ldxb %r9, [%r7+0]");
            }
            case 1 -> {
                tag.append("packet u16");
                emit("ldxh %r9, [%r7+0]");
            }
            case 2 -> {
                tag.append("packet u64");
                emit("ldxdw %r9, [%r7+0]");
            }
            default -> {
                tag.append("signed packet byte");
                emit("ldxsb %r9, [%r7+0]");
            }
        }
        switch (random.nextInt(5)) {
            case 0 -> {
                int mask = new int[] {7, 15, 31, 63, 64, 127, 511}[random.nextInt(7)];
                tag.append(" & ").append(mask);
                emit("and %r9, " + mask);
            }
            case 1 -> {
                int bound = new int[] {7, 56, 63, 64, 512}[random.nextInt(5)];
                tag.append(" <= ").append(bound).append(" (unsigned)");
                emit("jgt %r9, " + bound + ", out");
            }
            case 2 -> {
                int bound = new int[] {7, 63, 64}[random.nextInt(3)];
                tag.append(" <= ").append(bound).append(" (signed)");
                emit("jsgt %r9, " + bound + ", out");
            }
            case 3 -> {
                int modulus = new int[] {8, 64, 65}[random.nextInt(3)];
                tag.append(" % ").append(modulus);
                emit("mod %r9, " + modulus);
            }
            default -> tag.append(" unbounded");
        }
        int written = new int[] {0, 32, 64}[random.nextInt(3)];
        tag.append(", ").append(written).append(" bytes below r10-").append(64 - written).append(" written");
        for (int off = 64; off > 64 - written; off -= 8) {
            emit("stdw [%r10-" + off + "], 0");
        }
        int base = new int[] {8, 64, 64, 128, 512}[random.nextInt(5)];
        tag.append(", r10-").append(base).append(" + offset");
        emit("mov %r2, %r10");
        emit("add %r2, -" + base);
        emit(random.nextInt(4) == 0 ? "sub %r2, %r9" : "add %r2, %r9");
        int size = random.nextInt(4);
        tag.append(", ").append(1 << size).append(" bytes");
        emit(access("%r2", 0, size));
    }

    /** Stack bytes read before they are written: never, partly, on one path only, or as a helper's key. */
    private void uninitialisedStack() {
        tag.append("uninitialised-stack/");
        switch (random.nextInt(7)) {
            case 0 -> {
                tag.append("never written");
                emit("ldxdw %r0, [%r10-8]");
            }
            case 1 -> {
                tag.append("1 of 8 bytes written");
                emit("stb [%r10-8], 1");
                emit("ldxdw %r0, [%r10-8]");
            }
            case 2 -> {
                tag.append("written on one path");
                emitOnOnePath("stdw [%r10-8], 1");
                emit("ldxdw %r0, [%r10-8]");
            }
            case 3 -> {
                tag.append("written (safe)");
                emit("stdw [%r10-8], 1");
                emit("ldxdw %r0, [%r10-8]");
            }
            case 4 -> {
                tag.append("lookup key never written");
                emit("lddw %r1, map:h");
                emit("mov %r2, %r10");
                emit("add %r2, -4");
                emit("call map_lookup_elem");
            }
            case 5 -> {
                tag.append("lookup key 1 of 4 bytes written");
                emit("stb [%r10-4], 1");
                emit("lddw %r1, map:h");
                emit("mov %r2, %r10");
                emit("add %r2, -4");
                emit("call map_lookup_elem");
            }
            default -> {
                tag.append("update value 8 of 16 bytes written");
                emit("stw [%r10-4], 1");
                emit("stdw [%r10-24], 1");
                emit("lddw %r1, map:arr");
                emit("mov %r2, %r10");
                emit("add %r2, -4");
                emit("mov %r3, %r10");
                emit("add %r3, -24");
                emit("mov %r4, 0");
                emit("call map_update_elem");
            }
        }
    }

    /** A register read before any write, after a call clobbered it, or r0 read after a subprogram-free exit path. */
    private void uninitialisedRegister() {
        tag.append("uninitialised-register/");
        switch (random.nextInt(4)) {
            case 0 -> {
                tag.append("r0 before any write");
                emit("mov %r1, %r0");
            }
            case 1 -> {
                int r = 2 + random.nextInt(4);
                tag.append("r").append(r).append(" never written");
                emit("mov %r1, %r" + r);
            }
            case 2 -> {
                int r = 1 + random.nextInt(5);
                tag.append("r").append(r).append(" after a helper call");
                emit("call get_smp_processor_id");
                emit("mov %r9, %r" + r);
            }
            default -> {
                tag.append("r9 written on one path");
                emitOnOnePath("mov %r9, 1");
                emit("mov %r1, %r9");
            }
        }
    }

    // Pointer arithmetic.

    /** Arithmetic on one kind of pointer, then a one-byte load through it. */
    private void pointerArithmetic() {
        String kind = new String[] {"context", "packet", "packet end", "map value", "map", "stack"}[random.nextInt(6)];
        tag.append("pointer-arithmetic/").append(kind);
        String reg;
        switch (kind) {
            case "context" -> {
                emit("mov %r2, %r6");
                reg = "%r2";
            }
            case "packet" -> {
                emit("mov %r1, %r7");
                emit("add %r1, 64");
                emit("jgt %r1, %r8, out");
                emit("mov %r2, %r7");
                reg = "%r2";
            }
            case "packet end" -> {
                emit("mov %r2, %r8");
                reg = "%r2";
            }
            case "map value" -> {
                lookup("arr", 0);
                emit("jeq %r0, 0, out");
                emit("mov %r2, %r0");
                reg = "%r2";
            }
            case "map" -> {
                emit("lddw %r2, map:arr");
                reg = "%r2";
            }
            default -> {
                emit("stdw [%r10-8], 0");
                emit("stdw [%r10-16], 0");
                emit("mov %r2, %r10");
                emit("add %r2, -16");
                reg = "%r2";
            }
        }
        switch (random.nextInt(9)) {
            case 0 -> {
                int k = new int[] {1, 4, 8, 15, 16, 63, 64, 100}[random.nextInt(8)];
                tag.append(" + ").append(k);
                emit("add " + reg + ", " + k);
            }
            case 1 -> {
                tag.append(" - 1");
                emit("sub " + reg + ", 1");
            }
            case 2 -> {
                int mask = new int[] {3, 7, 15, 63}[random.nextInt(4)];
                tag.append(" + (packet byte & ").append(mask).append(")");
                scalarFromPacket(mask);
                emit("add " + reg + ", %r9");
            }
            case 3 -> {
                tag.append(" + an unbounded scalar");
                scalarFromPacket(-1);
                emit("add " + reg + ", %r9");
            }
            case 4 -> {
                tag.append(" + 1 (32-bit)");
                emit("add32 " + reg + ", 1");
            }
            case 5 -> {
                tag.append(" * 2");
                emit("mul " + reg + ", 2");
            }
            case 6 -> {
                tag.append(" negated");
                emit("neg " + reg);
            }
            case 7 -> {
                tag.append(" - itself (pointer minus pointer)");
                emit("mov %r3, " + reg);
                emit("sub " + reg + ", %r3");
            }
            default -> tag.append(" unchanged");
        }
        if (random.nextInt(4) == 0) {
            // Only kept: written to the stack, where a pointer may be spilled.
            tag.append(", spilled");
            emit("stxdw [%r10-32], " + reg);
        } else {
            tag.append(", then read");
            emit("ldxb %r3, [" + reg + "+0]");
        }
    }

    /** r9 = a packet byte (from a checked packet), masked when {@code mask >= 0}; an unbounded u64 otherwise. */
    private void scalarFromPacket(int mask) {
        emit("mov %r1, %r7");
        emit("add %r1, 8");
        emit("jgt %r1, %r8, out");
        if (mask >= 0) {
            emit("ldxb %r9, [%r7+0]");
            emit("and %r9, " + mask);
        } else {
            emit("ldxdw %r9, [%r7+0]");
        }
    }

    // Helper arguments.

    /** A lookup's key or an update's value through a pointer of each kind, or over a stack area too small. */
    private void helperArguments() {
        tag.append("helper-arguments/");
        emit("stw [%r10-4], 1");
        emit("stdw [%r10-16], 0");
        emit("stdw [%r10-24], 0");
        switch (random.nextInt(6)) {
            case 0 -> {
                int checked = new int[] {0, 2, 4, 8}[random.nextInt(4)];
                tag.append("key in the packet, ").append(checked).append(" bytes checked");
                if (checked > 0) {
                    emit("mov %r1, %r7");
                    emit("add %r1, " + checked);
                    emit("jgt %r1, %r8, out");
                }
                emit("mov %r2, %r7");
            }
            case 1 -> {
                tag.append("key in the context");
                emit("mov %r2, %r6");
            }
            case 2 -> {
                tag.append("key in a map value");
                lookup("h", 1);
                emit("jeq %r0, 0, out");
                emit("mov %r2, %r0");
            }
            case 3 -> {
                tag.append("value of 16 bytes from an 8-byte stack area");
                emit("lddw %r1, map:h");
                emit("mov %r2, %r10");
                emit("add %r2, -4");
                emit("mov %r3, %r10");
                emit("add %r3, -12");
                emit("mov %r4, 0");
                emit("call map_update_elem");
                return;
            }
            case 4 -> {
                tag.append("value in the packet, 16 bytes checked");
                emit("mov %r1, %r7");
                emit("add %r1, 16");
                emit("jgt %r1, %r8, out");
                emit("lddw %r1, map:h");
                emit("mov %r2, %r10");
                emit("add %r2, -4");
                emit("mov %r3, %r7");
                emit("mov %r4, 0");
                emit("call map_update_elem");
                return;
            }
            default -> {
                tag.append("key 2 bytes below the frame's top");
                emit("mov %r2, %r10");
                emit("add %r2, -2");
            }
        }
        // The key's pointer is in r2.
        emit("lddw %r1, map:h");
        emit("call map_lookup_elem");
    }

    // Context.

    /** A context field read or written at a good or bad offset and size. */
    private void contextAccess() {
        int offset = new int[] {0, 4, 8, 12, 16, 20, 24, 2, -4, 28}[random.nextInt(10)];
        int size = new int[] {2, 2, 2, 3, 0, 1}[random.nextInt(6)];
        boolean write = random.nextInt(3) == 0;
        tag.append("context/").append(write ? "write " : "read ").append(1 << size).append(" bytes at ").append(offset);
        String at = "[%r6" + (offset < 0 ? "" : "+") + offset + "]";
        emit(write ? "st" + SIZES[size] + " " + at + ", 0" : "ldx" + SIZES[size] + " %r3, " + at);
    }

    /** Emits {@code insn} on one path only: when the packet's first byte (bounds-checked) is not zero. */
    private void emitOnOnePath(String insn) {
        emit("mov %r1, %r7");
        emit("add %r1, 1");
        emit("jgt %r1, %r8, out");
        emit("ldxb %r1, [%r7+0]");
        String skip = label();
        emit("jeq %r1, 0, " + skip);
        emit(insn);
        out.append(skip).append(":\n");
    }

    private String label() {
        return "L" + (labels++);
    }

    private void emit(String line) {
        out.append("    ").append(line).append('\n');
    }
}
