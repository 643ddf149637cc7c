package org.trufflebpf.jit.x64;

/**
 * One direct tail-call site (spec §5): the prog array and key it jumps through, and the image offsets of its
 * two 5-byte patch sites. {@code tailcall_bypass} is {@code jmp out} while the slot is empty, a nop5 while a
 * target is installed; {@code tailcall_target} is a nop5 while empty, {@code jmp target+11} when installed.
 *
 * @param mapIndex     the program's map index of the prog array
 * @param key          the constant slot index
 * @param bypassOffset image offset of the bypass site
 * @param targetOffset image offset of the target site
 * @param outOffset    image offset of the code after the sequence (where the bypass jumps)
 */
public record PokeDescriptor(int slot, int mapIndex, int key, int bypassOffset, int targetOffset, int outOffset) {
    /** A tail call enters its target past nop5, xor/nop2, push rbp and mov rbp,rsp. */
    public static final int ADJ_OFF = PrologueEmitter.X86_TAIL_CALL_OFFSET;
}
