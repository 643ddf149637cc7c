package org.trufflebpf.jit.x64;

import java.util.Arrays;

/**
 * Patches the two sites of a direct tail call (spec §5) through the writable view of the code, each patch a
 * single aligned 8-byte store that first checks the site holds the expected bytes. The state sequence never
 * passes through A = (nop, nop): install C → D → B (or D → B), retarget B → B′, remove B → D, grace period,
 * D → C. Callers hold the lock of the prog array the site jumps through ({@link DirectTailCalls}), which also
 * covers registering and unregistering sites, so a load or unload racing with an update cannot miss or tear a
 * patch (kernel fix 4b7de801606e).
 */
final class TailCallPatcher {
    private static final byte[] NOP5 = {0x0f, 0x1f, 0x44, 0x00, 0x00};

    private TailCallPatcher() {
    }

    /** Points the site at {@code target} (the target program's entry address), from state B, C or D. */
    static void install(NativeProgram program, PokeDescriptor poke, long target) {
        long base = program.codeAddress();
        byte[] jmpTarget = jmp(base + poke.targetOffset(), target + PokeDescriptor.ADJ_OFF);
        byte[] bypass = read(program, poke.bypassOffset());
        byte[] site = read(program, poke.targetOffset());
        if (Arrays.equals(bypass, NOP5) && Arrays.equals(site, jmpTarget)) {
            return; // already B with this target
        }
        if (Arrays.equals(bypass, NOP5)) {
            write(program, poke.targetOffset(), site, jmpTarget); // B → B′: threads see the old or the new target
            return;
        }
        write(program, poke.targetOffset(), site, jmpTarget); // C → D (or D → D′)
        write(program, poke.bypassOffset(), bypass, NOP5); // D → B
    }

    /**
     * Empties the site, first half: B → D (the bypass jumps out again). Returns whether it did; false when the
     * site was already D or C. The caller waits for every run that may be past the bypass, then {@link #clearTarget}.
     */
    static boolean bypass(NativeProgram program, PokeDescriptor poke) {
        byte[] bypass = read(program, poke.bypassOffset());
        if (!Arrays.equals(bypass, NOP5)) {
            return false;
        }
        write(program, poke.bypassOffset(), bypass, jmp(program.codeAddress() + poke.bypassOffset(), program.codeAddress() + poke.outOffset()));
        return true;
    }

    /** Empties the site, second half, after the grace period: D → C. */
    static void clearTarget(NativeProgram program, PokeDescriptor poke) {
        byte[] site = read(program, poke.targetOffset());
        if (!Arrays.equals(site, NOP5)) {
            write(program, poke.targetOffset(), site, NOP5);
        }
    }

    /** The 5 bytes of {@code jmp rel32} at {@code site} to {@code destination}. */
    static byte[] jmp(long site, long destination) {
        long rel = destination - (site + 5);
        if (rel != (int) rel) {
            throw new IllegalStateException("tail-call target out of rel32 reach");
        }
        return new byte[] {(byte) 0xe9, (byte) rel, (byte) (rel >> 8), (byte) (rel >> 16), (byte) (rel >> 24)};
    }

    static byte[] read(NativeProgram program, int offset) {
        long word = program.code().readLong(offset & ~7);
        byte[] bytes = new byte[5];
        for (int i = 0; i < 5; i++) {
            bytes[i] = (byte) (word >>> (8 * ((offset & 7) + i)));
        }
        return bytes;
    }

    private static void write(NativeProgram program, int offset, byte[] expected, byte[] replacement) {
        int aligned = offset & ~7;
        int shift = 8 * (offset - aligned);
        if (offset - aligned > 3) {
            throw new IllegalStateException("patch site at " + offset + " crosses an 8-byte word");
        }
        long word = program.code().readLong(aligned);
        for (int i = 0; i < 5; i++) {
            if ((byte) (word >>> (shift + 8 * i)) != expected[i]) {
                throw new IllegalStateException("patch site at " + offset + " does not hold the expected bytes");
            }
        }
        for (int i = 0; i < 5; i++) {
            long mask = 0xffL << (shift + 8 * i);
            word = (word & ~mask) | ((replacement[i] & 0xffL) << (shift + 8 * i));
        }
        program.code().writeLongAtomic(aligned, word);
    }
}
