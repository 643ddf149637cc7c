package org.trufflebpf.fuzz;

import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Raw-memory programs that read their input at indexes compared with its length in r2, the reads the verifier
 * proves through the length ({@code bpf fuzz --input-index}): guards on the length; a bound derived from it (the
 * length itself, the length plus or minus a constant, the lesser of the length and a constant, a constant, or the
 * length through an operation that keeps no fact); loops whose index starts at a small constant or at a signed
 * byte of the input, moves by a stride and is compared with the bound in every relation (signed or unsigned, 64
 * or 32 bits, either operand order), or aimed at a proof's edge with the comparisons that prove; reads of every
 * size just inside and just outside what a proof allows, through the input's start moved by the index (sometimes
 * also by a constant or by the index twice); and reads at fixed offsets after the guards. The campaign runs each
 * program over inputs of lengths around its constants, one engine trusting the proofs and the other checking
 * every access, so that a read proven wrongly shows as a divergence.
 */
public final class InputIndexGenerator {
    private static final String[] SIZES = {"b", "h", "w", "dw"};
    private static final String[] UNSIGNED = {"jlt", "jle", "jgt", "jge"};
    private static final String[] OTHER = {"jslt", "jsle", "jsgt", "jsge", "jne", "jeq"};

    private final SplittableRandom random;
    private final StringBuilder out = new StringBuilder();
    private int labels;

    private InputIndexGenerator(long seed) {
        this.random = new SplittableRandom(seed ^ 0x5eed_1e46L);
    }

    /** The program of a seed (raw, program {@code main}) and the lengths worth running it on. */
    public record Generated(String text, int[] lengths) {
    }

    public static Generated generate(long seed) {
        return new InputIndexGenerator(seed).program();
    }

    private Generated program() {
        line(".program main raw");
        line("mov %r0, 0");
        int guards = random.nextInt(3);
        int[] constants = new int[guards + 1];
        for (int i = 0; i < guards; i++) {
            constants[i] = random.nextInt(72);
            // Mostly "leave when too short", as programs check a minimum length; sometimes any comparison (which
            // may leave the rest dead).
            String op = random.nextInt(10) < 7 ? (random.nextBoolean() ? "jlt" : "jle") : comparison();
            line(jump(op, "%r2", Integer.toString(constants[i]), "out"));
        }
        int fixedReads = random.nextInt(3);
        for (int i = 0; i < fixedReads; i++) {
            read("%r1", random.nextInt(72));
        }
        int bound = bound();
        constants[guards] = bound;
        int loops = 1 + random.nextInt(2);
        for (int i = 0; i < loops; i++) {
            loop();
        }
        line("out:");
        line("exit");
        return new Generated(out.toString(), lengths(constants));
    }

    /** r3 := the loop bound; returns a constant worth trying as a length. Sets {@link #lengthMinusBound}. */
    private int bound() {
        int c = random.nextInt(10);
        lengthMinusBound = NO_EDGE;
        switch (random.nextInt(8)) {
            case 0, 1 -> {
                line("mov %r3, %r2");
                lengthMinusBound = 0;
            }
            case 2 -> {
                if (random.nextInt(10) < 7) {
                    // Mostly guarded, so that the subtraction cannot wrap and the bound keeps its relation.
                    line(jump("jlt", "%r2", Integer.toString(c), "out"));
                }
                line("mov %r3, %r2");
                line("sub %r3, " + c);
                lengthMinusBound = c;
            }
            case 3 -> {
                if (c < 4 && random.nextInt(10) < 7) {
                    line(jump("jlt", "%r2", Integer.toString(4 - c), "out"));
                }
                line("mov %r3, %r2");
                line("add %r3, " + (c - 4));
                lengthMinusBound = 4 - c;
            }
            case 4 -> {
                c = random.nextInt(72);
                line("mov %r3, " + c);
            }
            case 5 -> {
                // The same number, through an operation that keeps no fact about the length.
                line("mov %r3, %r2");
                line(random.nextBoolean() ? "mul %r3, 1" : "mov32 %r3, %r3");
            }
            case 7 -> {
                // min(len, c), or one or two above c on the constant's path (where len > c: c + 1 still fits).
                line("mov %r3, %r2");
                line("jle %r3, " + c + ", +1");
                line("mov %r3, " + (c + random.nextInt(3)));
                lengthMinusBound = 0;
            }
            default -> {
                // The bound copied after a guard of its own.
                line("mov %r3, %r2");
                line(jump(comparison(), "%r3", Integer.toString(c), "out"));
                lengthMinusBound = 0;
            }
        }
        return c;
    }

    /** No edge is aimed at: the bound is not the length minus a known constant. */
    private static final int NO_EDGE = Integer.MIN_VALUE;
    /** {@code L - r3} where r3 is the length minus a constant, so that reads can aim at the edge a proof allows. */
    private int lengthMinusBound;

    /** for (i = start; i OP bound; i += stride) reads through r1 + i: aimed at a proof's edge, or in any form. */
    private void loop() {
        if (lengthMinusBound != NO_EDGE && random.nextInt(10) < 6) {
            edgeLoop();
        } else {
            anyLoop();
        }
    }

    /**
     * An index kept below (or at most at) the bound by the unsigned comparisons that prove, and reads whose last
     * byte is the last one a proof allows, one before it, or one past it (which no proof may allow).
     */
    private void edgeLoop() {
        String top = "loop" + labels++;
        String done = "done" + labels++;
        boolean strict = random.nextBoolean();
        // Every index the body sees: i + slack <= L.
        int slack = (strict ? 1 : 0) + lengthMinusBound;
        line("mov %r4, " + random.nextInt(3));
        line(jump(strict ? "jge" : "jgt", "%r4", "%r3", done));
        line(top + ":");
        line("mov %r5, %r1");
        line("add %r5, %r4");
        int reads = 1 + random.nextInt(2);
        for (int i = 0; i < reads; i++) {
            // Mostly a size the slack can hold, so that most reads are proven or one byte from it.
            int fits = Math.max(0, Math.min(3, 31 - Integer.numberOfLeadingZeros(Math.max(1, slack))));
            int size = random.nextInt(10) < 7 ? random.nextInt(fits + 1) : random.nextInt(4);
            int bytes = 1 << size;
            int[] deltas = {-1, 0, 0, 1};
            read("%r5", slack - bytes + deltas[random.nextInt(deltas.length)], size);
        }
        line("add %r4, " + (random.nextInt(10) < 6 ? 1 : 1 + random.nextInt(8)));
        boolean indexFirst = random.nextBoolean();
        String op = strict ? (indexFirst ? "jlt" : "jgt") : (indexFirst ? "jle" : "jge");
        line(jump(op, indexFirst ? "%r4" : "%r3", indexFirst ? "%r3" : "%r4", top));
        line(done + ":");
    }

    /** A loop in any comparison form, with a top test or without, reads anywhere near the index. */
    private void anyLoop() {
        String top = "loop" + labels++;
        String done = "done" + labels++;
        boolean signedStart = random.nextInt(5) == 0;
        if (signedStart) {
            // An index the input chooses, from -128 to 127: only a signed comparison lets a negative one through
            // (so such loops mostly get one), and one taken for an unsigned comparison would prove reads before the
            // input.
            line("ldxb %r4, [%r1+0]");
            line("sub %r4, 128");
        } else {
            line("mov %r4, " + random.nextInt(4));
        }
        if (random.nextInt(10) < 7) {
            // The test on entry: leave when it holds.
            line(jump(signedStart && random.nextInt(10) < 6 ? (random.nextBoolean() ? "jsge" : "jsgt") : comparison(), "%r4", "%r3", done));
        }
        line(top + ":");
        switch (random.nextInt(4)) {
            case 0 -> {
                line("mov %r5, %r4");
                line("add %r5, %r1");
            }
            default -> {
                line("mov %r5, %r1");
                line("add %r5, %r4");
            }
        }
        int moves = random.nextInt(8);
        if (moves == 0) {
            line("add %r5, " + (random.nextInt(12) - 4));
        } else if (moves == 1) {
            line("add %r5, %r4");
        }
        int reads = 1 + random.nextInt(2);
        for (int i = 0; i < reads; i++) {
            read("%r5", random.nextInt(11) - 2);
        }
        line("add %r4, " + (1 + random.nextInt(8)));
        // Which register is compared first, and how: the back edge is taken while the loop goes on.
        boolean indexFirst = random.nextBoolean();
        String op = signedStart && random.nextInt(10) < 6 ? (indexFirst ? "jslt" : "jsgt") : comparison();
        line(jump(op, indexFirst ? "%r4" : "%r3", indexFirst ? "%r3" : "%r4", top));
        line(done + ":");
    }

    private void read(String base, int offset) {
        read(base, offset, random.nextInt(4));
    }

    private void read(String base, int offset, int size) {
        line("ldx" + SIZES[size] + " %r6, [" + base + (offset < 0 ? "" : "+") + offset + "]");
        line(random.nextBoolean() ? "add %r0, %r6" : "xor %r0, %r6");
    }

    /** Mostly unsigned 64-bit comparisons (the ones that prove), sometimes signed, equality or 32-bit ones. */
    private String comparison() {
        String op = random.nextInt(10) < 7 ? UNSIGNED[random.nextInt(UNSIGNED.length)] : OTHER[random.nextInt(OTHER.length)];
        return random.nextInt(8) == 0 ? op + "32" : op;
    }

    private static String jump(String op, String left, String right, String target) {
        return op + " " + left + ", " + right + ", " + target;
    }

    /** Lengths 0 to 8, around each constant, and a few random ones up to 96. */
    private int[] lengths(int[] constants) {
        TreeSet<Integer> lengths = new TreeSet<>();
        for (int n = 0; n <= 8; n += 1 + random.nextInt(3)) {
            lengths.add(n);
        }
        for (int c : constants) {
            for (int d = -2; d <= 9; d += 1 + random.nextInt(4)) {
                if (c + d >= 0) {
                    lengths.add(c + d);
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            lengths.add(random.nextInt(97));
        }
        return lengths.stream().mapToInt(Integer::intValue).toArray();
    }

    private void line(String text) {
        out.append(text).append('\n');
    }
}
