package org.trufflebpf.model;

/**
 * The eBPF instruction encoding of RFC 9669: class, size, mode, operation and source bits, and the pseudo
 * source values that give {@code lddw} and {@code call} their special meanings.
 */
public final class Opcodes {
    private Opcodes() {
    }

    // Instruction classes (low three bits).
    public static final int CLASS_LD = 0x00;
    public static final int CLASS_LDX = 0x01;
    public static final int CLASS_ST = 0x02;
    public static final int CLASS_STX = 0x03;
    public static final int CLASS_ALU = 0x04;
    public static final int CLASS_JMP = 0x05;
    public static final int CLASS_JMP32 = 0x06;
    public static final int CLASS_ALU64 = 0x07;

    // Load/store sizes.
    public static final int SIZE_W = 0x00;
    public static final int SIZE_H = 0x08;
    public static final int SIZE_B = 0x10;
    public static final int SIZE_DW = 0x18;

    // Load/store modes.
    public static final int MODE_IMM = 0x00;
    public static final int MODE_ABS = 0x20;
    public static final int MODE_IND = 0x40;
    public static final int MODE_MEM = 0x60;
    public static final int MODE_MEMSX = 0x80;
    public static final int MODE_ATOMIC = 0xc0;

    // Source bit of ALU and jump instructions.
    public static final int SRC_K = 0x00;
    public static final int SRC_X = 0x08;

    // ALU operations (high four bits).
    public static final int ALU_ADD = 0x00;
    public static final int ALU_SUB = 0x10;
    public static final int ALU_MUL = 0x20;
    public static final int ALU_DIV = 0x30;
    public static final int ALU_OR = 0x40;
    public static final int ALU_AND = 0x50;
    public static final int ALU_LSH = 0x60;
    public static final int ALU_RSH = 0x70;
    public static final int ALU_NEG = 0x80;
    public static final int ALU_MOD = 0x90;
    public static final int ALU_XOR = 0xa0;
    public static final int ALU_MOV = 0xb0;
    public static final int ALU_ARSH = 0xc0;
    public static final int ALU_END = 0xd0;

    // Jump operations (high four bits).
    public static final int JMP_JA = 0x00;
    public static final int JMP_JEQ = 0x10;
    public static final int JMP_JGT = 0x20;
    public static final int JMP_JGE = 0x30;
    public static final int JMP_JSET = 0x40;
    public static final int JMP_JNE = 0x50;
    public static final int JMP_JSGT = 0x60;
    public static final int JMP_JSGE = 0x70;
    public static final int JMP_CALL = 0x80;
    public static final int JMP_EXIT = 0x90;
    public static final int JMP_JLT = 0xa0;
    public static final int JMP_JLE = 0xb0;
    public static final int JMP_JSLT = 0xc0;
    public static final int JMP_JSLE = 0xd0;

    // Atomic operations, carried in the imm field of STX|ATOMIC.
    public static final int ATOMIC_ADD = 0x00;
    public static final int ATOMIC_OR = 0x40;
    public static final int ATOMIC_AND = 0x50;
    public static final int ATOMIC_XOR = 0xa0;
    public static final int ATOMIC_FETCH = 0x01;
    public static final int ATOMIC_XCHG = 0xe0 | ATOMIC_FETCH;
    public static final int ATOMIC_CMPXCHG = 0xf0 | ATOMIC_FETCH;

    // Pseudo sources of lddw (src field of the first slot).
    public static final int PSEUDO_NONE = 0;
    /** imm is a map: a file descriptor in the kernel, an index into the object's maps here. */
    public static final int PSEUDO_MAP_FD = 1;
    /** imm is a map, the second slot's imm an offset into its value. */
    public static final int PSEUDO_MAP_VALUE = 2;
    public static final int PSEUDO_BTF_ID = 3;
    /** imm is the pc-relative address of a function, as for a bpf-to-bpf call. */
    public static final int PSEUDO_FUNC = 4;
    public static final int PSEUDO_MAP_IDX = 5;
    public static final int PSEUDO_MAP_IDX_VALUE = 6;

    // Pseudo sources of call.
    public static final int CALL_HELPER = 0;
    public static final int CALL_LOCAL = 1;
    public static final int CALL_KFUNC = 2;

    // Frequently used full opcodes.
    public static final int LDDW = CLASS_LD | MODE_IMM | SIZE_DW; // 0x18
    public static final int CALL = CLASS_JMP | JMP_CALL; // 0x85
    public static final int CALLX = CLASS_JMP | JMP_CALL | SRC_X; // 0x8d
    public static final int EXIT = CLASS_JMP | JMP_EXIT; // 0x95
    public static final int JA = CLASS_JMP | JMP_JA; // 0x05
    public static final int JA32 = CLASS_JMP32 | JMP_JA; // 0x06

    /** The number of BPF registers, r0 to r10. */
    public static final int REGISTER_COUNT = 11;
    public static final int FRAME_POINTER = 10;
    /** Kernel limits the verifier enforces. */
    public static final int MAX_STACK = 512;
    public static final int MAX_CALL_FRAMES = 8;
    public static final int MAX_INSNS = 1_000_000;
    public static final int MAX_TAIL_CALL_CNT = 33;

    public static int instructionClass(int opcode) {
        return opcode & 0x07;
    }

    public static int operation(int opcode) {
        return opcode & 0xf0;
    }

    public static int source(int opcode) {
        return opcode & 0x08;
    }

    public static int size(int opcode) {
        return opcode & 0x18;
    }

    public static int mode(int opcode) {
        return opcode & 0xe0;
    }

    /** Size in bytes of a load/store size code. */
    public static int sizeBytes(int sizeCode) {
        return switch (sizeCode) {
            case SIZE_B -> 1;
            case SIZE_H -> 2;
            case SIZE_W -> 4;
            default -> 8;
        };
    }

    public static boolean isJump(int opcode) {
        int cls = instructionClass(opcode);
        return cls == CLASS_JMP || cls == CLASS_JMP32;
    }
}
