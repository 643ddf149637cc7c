package org.trufflebpf.fuzz;

import java.util.SplittableRandom;

/**
 * The generator's laundering mode ({@code bpf fuzz --launder}): programs meant to run unverified
 * ({@code bpf.Verify=false}), which hide pointers from a verifier and reach just outside what the run owns.
 * They contain ALU no-ops on pointers ({@code or 0}, {@code and -1}, {@code xor 0}, {@code add 0}, shifts by 0,
 * copies), 32-bit truncations of pointers ({@code mov32}, {@code ldxw} of a spilled pointer), pointers spilled to
 * the stack and filled back (also with bytes of the spill overwritten), frame pointers passed down chains of one
 * to three bpf-to-bpf calls and used by the callees, reads of frame bytes never written, pointers into map
 * values, global data, ring-buffer records, the input, the packet and the context offset to just outside their
 * region, and helper results tampered with before use.
 * <p>
 * Whatever such a program does must be the same on both engines: every access either lies inside a region the
 * run owns (then both read or write the same bytes) or fails with the same error. Reaches outside a frame stay
 * within {@link #MAX_REACH} bytes of it: the engines lay out the space between frames differently (the native
 * engine keeps return addresses and saved registers there, the interpreter an unreachable gap), so an access
 * further away may land in another active frame on one engine and not on the other, which is legitimate.
 * <p>
 * Invariant that keeps outcomes address-free: pointers live only in r0..r5 and r8/r9 and on the stack's spill
 * area; results flow only through r6 and r7 (scalar accumulators of loaded bytes), which become r0 and are
 * stored in the input. Scalar loads never touch the spill area {@code [r10-256, r10-192)} or the context's
 * stored pointers, so no address reaches r0, the input, maps or printed output unless an engine lets it.
 */
public final class LaunderingGenerator {
    /** Raw programs get this much input memory; the body touches {@code [0, 64)}, the epilogue stores after it. */
    public static final int INPUT_BYTES = 128;
    /** How far outside a frame or region an access may reach (see the class comment). */
    public static final int MAX_REACH = 16;
    /** An unverified function's frame (the runtime's frame size without a verified stack depth). */
    static final int FRAME = 512;
    private static final int SPILL_TOP = -192;
    private static final int SPILL_BOTTOM = -256;
    private static final String[] SIZES = {"b", "h", "w", "dw"};
    /** Array map {@code arr}: 4 values of 8 bytes; global data: 32 bytes. */
    private static final int MAP_VALUE = 8;
    private static final int DATA_BYTES = 32;
    private static final int XDP_CONTEXT = 48;

    private final SplittableRandom random;
    private final StringBuilder out = new StringBuilder();
    private final StringBuilder functions = new StringBuilder();
    private final int bodyLength;
    private boolean xdp;
    private int labels;
    private int functionCount;
    /**
     * Accesses meant to fail left in this program: a run stops at its first fault, so most programs get one, at a
     * random place, and every other access is one that must succeed; a program without one runs to its end.
     */
    private int faults;

    private LaunderingGenerator(long seed, int bodyLength) {
        this.random = new SplittableRandom(seed ^ 0x1a0d3e7L);
        this.bodyLength = bodyLength;
    }

    /** The laundering program for a seed (program {@code main}); the same seed always gives the same text and input. */
    public static ProgramGenerator.Generated generate(long seed, int bodyLength) {
        return new LaunderingGenerator(seed, Math.max(4, bodyLength / 3)).generate();
    }

    /** A pointer into the frame of the function at {@code depth} (0: main), at {@code r10 - k} of that frame. */
    private record FramePointer(int depth, int k) {
    }

    private ProgramGenerator.Generated generate() {
        xdp = random.nextInt(4) == 0;
        faults = random.nextInt(3) == 0 ? 0 : 1;
        out.append(".map arr array key=4 value=8 entries=4\n");
        out.append(".map h hash key=4 value=8 entries=3\n");
        out.append(".map rb ringbuf key=0 value=0 entries=4096\n");
        out.append(".global .data size=32\n");
        out.append(".program main ").append(xdp ? "xdp" : "raw").append('\n');
        // r9: the input (raw memory, or the packet's data); r8: the context (raw: the input again).
        emit("mov %r8, %r1");
        emit(xdp ? "ldxw %r9, [%r1+0]" : "mov %r9, %r1");
        emit("mov %r6, " + small());
        emit("mov %r7, " + small());
        int calls = 1 + random.nextInt(3);
        int maxDepth = 1 + random.nextInt(3);
        body(0, null, bodyLength, maxDepth, calls);
        emit("stxdw [%r9+64], %r6");
        emit("stxdw [%r9+72], %r7");
        emit("mov %r0, %r6");
        emit("xor %r0, %r7");
        emit("exit");
        out.append(functions);
        byte[] input = new byte[INPUT_BYTES];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) random.nextInt(256);
        }
        return new ProgramGenerator.Generated(out.toString(), input);
    }

    /**
     * A function body at {@code depth}; {@code incoming} (callees only) is where the frame pointer in r8 points.
     * Calls go to fresh functions one level deeper, up to {@code maxDepth}.
     */
    private void body(int depth, FramePointer incoming, int length, int maxDepth, int calls) {
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(100);
            if (kind < 18) {
                ownFrame(depth);
            } else if (kind < 30) {
                spillAndFill(depth);
            } else if (kind < 44 && incoming != null) {
                callerFrame(incoming, depth);
            } else if (kind < 52) {
                mapValue();
            } else if (kind < 58) {
                globalData();
            } else if (kind < 64) {
                ringBuffer(depth, incoming);
            } else if (kind < 70) {
                inputOrPacket();
            } else if (kind < 74 && depth == 0) {
                context();
            } else if (kind < 78 && fault()) {
                truncated(depth);
            } else if (kind < 88 && depth < maxDepth && calls > 0) {
                calls--;
                call(depth, incoming, maxDepth);
            } else {
                ownFrame(depth);
            }
        }
        if (depth < maxDepth && calls > 0 && random.nextBoolean()) {
            call(depth, incoming, maxDepth);
        }
    }

    /** Whether the next snippet takes one of its failing forms (spending the program's fault). */
    private boolean fault() {
        if (faults > 0 && random.nextInt(6) == 0) {
            faults--;
            return true;
        }
        return false;
    }

    /** An access to the function's own frame through a laundered copy of r10. */
    private void ownFrame(int depth) {
        int p = pointerRegister();
        int k = 8 * random.nextInt(9);
        emit("mov %r" + p + ", %r10");
        emit("add %r" + p + ", -" + k);
        launder(p);
        int size = random.nextInt(4);
        int r = fault() ? random.nextInt(2) : 2;
        if (r == 0) {
            // Above the top of this frame: for main past the stack, for a callee into the gap before its caller's frame.
            // p is r10 - k: offset k + o reaches r10 + o. The access ends 1..16 bytes past the top.
            access(p, k + 1 + random.nextInt(MAX_REACH) - (1 << size), size, true);
        } else if (r == 1) {
            // Starts 1..16 bytes below the frame's bottom.
            access(p, k - FRAME - 1 - random.nextInt(MAX_REACH), size, true);
        } else {
            access(p, k + scalarOffset(size), size, random.nextInt(3) == 0);
        }
    }

    /** A frame offset (from r10) outside the spill area, aligned to the access size. */
    private int scalarOffset(int size) {
        int bytes = 1 << size;
        int offset;
        do {
            offset = -bytes * (1 + random.nextInt(FRAME / bytes));
        } while (offset + bytes > SPILL_BOTTOM && offset < SPILL_TOP);
        if (random.nextInt(3) != 0) {
            // Mostly near the top, where callers' writes, reads of unwritten bytes and spills meet.
            offset = -bytes * (1 + random.nextInt(64 / bytes));
        }
        return offset;
    }

    /**
     * A load into r3 folded into an accumulator, or a store of an accumulator or immediate, at {@code [p+off]}.
     * {@code immediateToo}: stores of an immediate as well as of an accumulator.
     */
    private void access(int p, int off, int size, boolean immediateToo) {
        String at = "[%r" + p + (off >= 0 ? "+" : "") + off + "]";
        int what = random.nextInt(immediateToo ? 3 : 2);
        if (what == 0) {
            emit("ldx" + SIZES[size] + " %r3, " + at);
            emit((random.nextBoolean() ? "xor" : "add") + " %r" + (6 + random.nextInt(2)) + ", %r3");
        } else if (what == 1) {
            emit("stx" + SIZES[size] + " " + at + ", %r" + (6 + random.nextInt(2)));
        } else {
            emit("st" + SIZES[size] + " " + at + ", " + small());
        }
    }

    /** One to three ALU operations that leave a pointer's value as it is, but hide it from a pointer-tracking verifier. */
    private void launder(int p) {
        for (int n = random.nextInt(4); n > 0; n--) {
            switch (random.nextInt(10)) {
                case 0 -> emit("or %r" + p + ", 0");
                case 1 -> emit("and %r" + p + ", -1");
                case 2 -> emit("xor %r" + p + ", 0");
                case 3 -> emit("add %r" + p + ", 0");
                case 4 -> emit(new String[] {"lsh", "rsh", "arsh"}[random.nextInt(3)] + " %r" + p + ", 0");
                case 5 -> emit("sub %r" + p + ", 0");
                case 6 -> {
                    // Through a register holding zero.
                    int z = otherPointerRegister(p);
                    emit("mov %r" + z + ", 0");
                    emit((random.nextBoolean() ? "or" : "xor") + " %r" + p + ", %r" + z);
                }
                case 7 -> {
                    // Up and back down by the same amount.
                    int d = 1 + random.nextInt(4096);
                    emit("add %r" + p + ", " + d);
                    emit("sub %r" + p + ", " + d);
                }
                case 8 -> {
                    int q = otherPointerRegister(p);
                    emit("mov %r" + q + ", %r" + p);
                    emit("mov %r" + p + ", %r" + q);
                }
                default -> {
                    emit("neg %r" + p);
                    emit("neg %r" + p);
                }
            }
        }
    }

    /** A frame pointer spilled to the spill area, maybe partly overwritten, filled back and used. */
    private void spillAndFill(int depth) {
        int p = pointerRegister();
        int k = 8 * random.nextInt(9);
        int slot = SPILL_BOTTOM + 8 * random.nextInt((SPILL_TOP - SPILL_BOTTOM) / 8);
        emit("mov %r" + p + ", %r10");
        emit("add %r" + p + ", -" + k);
        launder(p);
        emit("stxdw [%r10" + slot + "], %r" + p);
        int how = fault() ? 2 + random.nextInt(4) : random.nextInt(4) < 2 ? random.nextInt(2) : 6;
        switch (how) {
            // High bytes of a user-space pointer are zero: rewriting them with zero changes nothing.
            case 0 -> emit("stb [%r10" + (slot + 7) + "], 0");
            case 1 -> emit("sth [%r10" + (slot + 6) + "], 0");
            // Non-zero high bytes, or a cleared low or high word: no longer an address the run owns.
            case 2 -> emit("stb [%r10" + (slot + 7) + "], " + (1 + random.nextInt(255)));
            case 3 -> emit("sth [%r10" + (slot + 6) + "], " + (1 + random.nextInt(0x7fff)));
            case 4 -> emit("stw [%r10" + (slot + (random.nextBoolean() ? 0 : 4)) + "], 0");
            default -> {
            }
        }
        int q = pointerRegister();
        if (how == 5) {
            // A 32-bit fill truncates the pointer.
            emit("ldxw %r" + q + ", [%r10" + slot + "]");
        } else {
            emit("ldxdw %r" + q + ", [%r10" + slot + "]");
        }
        launder(q);
        int size = random.nextInt(4);
        access(q, k + scalarOffset(size), size, random.nextInt(3) == 0);
    }

    /** The pointer in r8 into a caller's frame ({@code incoming}), used inside that frame or just outside it. */
    private void callerFrame(FramePointer incoming, int depth) {
        int p = pointerRegister();
        emit("mov %r" + p + ", %r8");
        launder(p);
        int size = random.nextInt(4);
        int bytes = 1 << size;
        int k = incoming.k();
        int r = fault() ? random.nextInt(2) : 2;
        if (r == 0) {
            // Ends 1..16 bytes above the caller's frame top (main: past the stack; else the gap to its own caller).
            access(p, k + 1 + random.nextInt(MAX_REACH) - bytes, size, true);
        } else if (r == 1) {
            // Starts 1..16 bytes below the caller's frame bottom: the gap before the next frame down.
            access(p, k - FRAME - 1 - random.nextInt(MAX_REACH), size, true);
        } else {
            access(p, k + scalarOffset(size), size, random.nextInt(3) == 0);
        }
    }

    /**
     * A bpf-to-bpf call to a new function one level down: r1 is a frame pointer (this frame's, or the one this
     * function was given, passed on laundered), r2 the input. The callee's result folds into r6.
     */
    private void call(int depth, FramePointer incoming, int maxDepth) {
        FramePointer passed;
        if (incoming != null && random.nextInt(3) == 0) {
            emit("mov %r1, %r8");
            passed = incoming;
        } else {
            int k = 8 * random.nextInt(9);
            emit("mov %r1, %r10");
            emit("add %r1, -" + k);
            passed = new FramePointer(depth, k);
        }
        launder(1);
        emit("mov %r2, %r9");
        String name = "f" + (++functionCount);
        emit("call local " + name);
        emit("xor %r6, %r0");
        // The function's text goes after every function before it: generate it into its own buffer.
        StringBuilder caller = new StringBuilder(out);
        out.setLength(0);
        out.append(name).append(":\n");
        emit("mov %r8, %r1");
        emit("mov %r9, %r2");
        emit("mov %r6, " + small());
        emit("mov %r7, " + small());
        body(depth + 1, passed, Math.max(3, bodyLength / 2), maxDepth, 1 + random.nextInt(2));
        emit("mov %r0, %r6");
        emit("xor %r0, %r7");
        emit("exit");
        functions.append(out);
        out.setLength(0);
        out.append(caller);
    }

    /** A map value, found by lookup, used inside, tampered with (moved) or reached just outside. */
    private void mapValue() {
        int key = random.nextInt(4);
        emit("stw [%r10-4], " + key);
        emit("mov %r2, %r10");
        emit("add %r2, -4");
        // Laundering may use a second register: before r1 is set.
        launder(2);
        emit("lddw %r1, map:arr");
        emit("call map_lookup_elem");
        String skip = "L" + (labels++);
        emit("jeq %r0, 0, " + skip);
        int size = random.nextInt(4);
        int bytes = 1 << size;
        switch (fault() ? random.nextInt(4) : 4 + random.nextInt(6)) {
            case 0 -> {
                // Tampered result: moved by a few bytes, then used at offset 0.
                emit("add %r0, " + (random.nextBoolean() ? -1 : 1) * (1 + random.nextInt(MAX_REACH)));
                launder(0);
                access(0, 0, size, true);
            }
            // Just past the value, or past the whole array (whichever the runtime calls the region).
            case 1, 2 -> access(0, (random.nextBoolean() ? MAP_VALUE : MAP_VALUE * (4 - key)) - bytes + 1 + random.nextInt(MAX_REACH), size, true);
            case 3 -> access(0, -1 - random.nextInt(MAX_REACH), size, true);
            case 4, 5 -> {
                // Tampered with and put back.
                int d = 1 + random.nextInt(64);
                emit("sub %r0, " + d);
                launder(0);
                emit("add %r0, " + d);
                access(0, bytes * random.nextInt(MAP_VALUE / bytes), size, true);
            }
            default -> access(0, bytes * random.nextInt(MAP_VALUE / bytes), size, true);
        }
        out.append(skip).append(":\n");
    }

    /** Global data (a one-entry array map of 32 bytes): inside, or up to 16 bytes before or after it. */
    private void globalData() {
        int p = pointerRegister();
        emit("lddw %r" + p + ", map_value:.data+0");
        launder(p);
        int size = random.nextInt(4);
        int bytes = 1 << size;
        int r = fault() ? 1 + random.nextInt(2) : 3;
        int off = r > 2 ? bytes * random.nextInt(DATA_BYTES / bytes) : r == 2 ? DATA_BYTES - bytes + 1 + random.nextInt(MAX_REACH) : -1 - random.nextInt(MAX_REACH);
        access(p, off, size, true);
    }

    /**
     * A ring-buffer record: reserved, written inside (or before its payload, over the header, or after it),
     * submitted or discarded (maybe through a moved pointer); or output from a frame with a size reaching out of it.
     */
    private void ringBuffer(int depth, FramePointer incoming) {
        if (random.nextInt(3) == 0) {
            int top;
            if (incoming != null && random.nextBoolean()) {
                emit("mov %r2, %r8");
                top = incoming.k();
            } else {
                emit("mov %r2, %r10");
                top = 0;
            }
            int start = 8 * (1 + random.nextInt(8));
            emit("add %r2, " + (top - start));
            launder(2);
            emit("lddw %r1, map:rb");
            // Up to the frame's top, or a few bytes past it.
            emit("mov %r3, " + (fault() ? start + 1 + random.nextInt(MAX_REACH) : 1 + random.nextInt(start)));
            emit("mov %r4, 0");
            emit("call ringbuf_output");
            emit("xor %r7, %r0");
            return;
        }
        int size = 8 * (1 + random.nextInt(3));
        emit("lddw %r1, map:rb");
        emit("mov %r2, " + size);
        emit("mov %r3, 0");
        emit("call ringbuf_reserve");
        String skip = "L" + (labels++);
        emit("jeq %r0, 0, " + skip);
        launder(0);
        int how = fault() ? random.nextInt(4) : 4;
        switch (how) {
            case 0 -> emit("stxdw [%r0-" + (8 * (1 + random.nextInt(2))) + "], %r6");
            case 1 -> emit("stw [%r0-" + (1 + random.nextInt(MAX_REACH)) + "], " + small());
            case 2 -> emit("stxb [%r0+" + (size + random.nextInt(MAX_REACH)) + "], %r7");
            default -> emit("stxdw [%r0+" + 8 * random.nextInt(size / 8) + "], %r" + (6 + random.nextInt(2)));
        }
        emit("mov %r1, %r0");
        if (how == 3) {
            // Submitting a moved pointer: not a record the program holds.
            emit("add %r1, " + (random.nextBoolean() ? 8 : -8));
        }
        emit("mov %r2, 0");
        emit(random.nextInt(3) == 0 ? "call ringbuf_discard" : "call ringbuf_submit");
        out.append(skip).append(":\n");
    }

    /** The input memory (raw) or the packet (xdp) through r9: inside its bytes [0, 64), or just before or after it. */
    private void inputOrPacket() {
        int p = pointerRegister();
        emit("mov %r" + p + ", %r9");
        launder(p);
        int size = random.nextInt(4);
        int bytes = 1 << size;
        int r = fault() ? random.nextInt(2) : 2;
        int off = r == 0 ? INPUT_BYTES - bytes + 1 + random.nextInt(MAX_REACH) : r == 1 ? -1 - random.nextInt(MAX_REACH) : bytes * random.nextInt(64 / bytes);
        access(p, off, size, true);
    }

    /**
     * The context through r8 (main only). Raw programs' context is the input; an XDP context holds its packet
     * pointers at [24, 48), which must not become results: fields 12..24 inside, or just outside the 48 bytes.
     */
    private void context() {
        int p = pointerRegister();
        emit("mov %r" + p + ", %r8");
        launder(p);
        int size = random.nextInt(3);
        int bytes = 1 << size;
        int limit = xdp ? XDP_CONTEXT : INPUT_BYTES;
        int r = fault() ? random.nextInt(2) : 2;
        int off = r == 0 ? limit - bytes + 1 + random.nextInt(MAX_REACH) : r == 1 ? -1 - random.nextInt(MAX_REACH) : xdp ? 12 + 4 * random.nextInt(3) : 8 * random.nextInt(8);
        if (xdp && r == 2) {
            // Fields 12..24 of xdp_md are read-only and 4 bytes wide.
            emit("ldxw %r3, [%r" + p + "+" + off + "]");
            emit("xor %r6, %r3");
            return;
        }
        access(p, off, size, true);
    }

    /** A pointer truncated to 32 bits (mov32, then copied back), then used: not an address the run owns. */
    private void truncated(int depth) {
        int p = pointerRegister();
        int q = otherPointerRegister(p);
        emit(random.nextBoolean() ? "mov %r" + p + ", %r10" : "mov %r" + p + ", %r9");
        emit("add %r" + p + ", -8");
        emit("mov32 %r" + q + ", %r" + p);
        emit("mov %r" + p + ", %r" + q);
        launder(p);
        access(p, 0, 3, true);
    }

    /** A register for a pointer: r1..r5 (clobbered by calls anyway) or r0. */
    private int pointerRegister() {
        return random.nextInt(6);
    }

    private int otherPointerRegister(int p) {
        int q;
        do {
            q = pointerRegister();
        } while (q == p);
        return q;
    }

    private long small() {
        return random.nextInt(8) == 0 ? random.nextInt() : random.nextInt(-16, 1000);
    }

    private void emit(String line) {
        out.append("    ").append(line).append('\n');
    }
}
