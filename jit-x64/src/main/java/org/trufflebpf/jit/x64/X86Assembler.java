package org.trufflebpf.jit.x64;

import java.util.Arrays;

/**
 * Encodes x86-64 instructions into a growing byte buffer. It only encodes: which instructions to emit is the
 * lowering's business. Registers are hardware numbers ({@link Registers}); {@code w} selects 64-bit operand
 * size (REX.W), otherwise 32-bit operations that zero the upper half of their destination register.
 */
public final class X86Assembler {

    /** The two-operand integer operations: opcode of {@code op r/m, reg} and the /digit of the immediate forms. */
    public enum Alu {
        ADD(0x01, 0), OR(0x09, 1), AND(0x21, 4), SUB(0x29, 5), XOR(0x31, 6), CMP(0x39, 7);

        final int opcodeRmReg;
        final int extension;

        Alu(int opcodeRmReg, int extension) {
            this.opcodeRmReg = opcodeRmReg;
            this.extension = extension;
        }
    }

    /** Shifts and rotates with their ModRM /digit. */
    public enum Shift {
        ROL(0), ROR(1), SHL(4), SHR(5), SAR(7);

        final int extension;

        Shift(int extension) {
            this.extension = extension;
        }
    }

    /** Condition codes (the low nibble of Jcc). */
    public static final int CC_O = 0x0, CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5, CC_BE = 0x6, CC_A = 0x7, CC_S = 0x8,
                    CC_L = 0xc, CC_GE = 0xd, CC_LE = 0xe, CC_G = 0xf;

    private byte[] code = new byte[256];
    private int size;

    /** An empty code buffer. */
    public X86Assembler() {
    }

    public int position() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(code, size);
    }

    public void emit8(int value) {
        if (size == code.length) {
            code = Arrays.copyOf(code, code.length * 2);
        }
        code[size++] = (byte) value;
    }

    public void emit16(int value) {
        emit8(value);
        emit8(value >> 8);
    }

    public void emit32(int value) {
        emit16(value);
        emit16(value >> 16);
    }

    public void emit64(long value) {
        emit32((int) value);
        emit32((int) (value >> 32));
    }

    public void emitBytes(int... bytes) {
        for (int b : bytes) {
            emit8(b);
        }
    }

    /** Overwrites 4 bytes at a position already emitted (little-endian). */
    public void patch32(int position, int value) {
        for (int i = 0; i < 4; i++) {
            code[position + i] = (byte) (value >> (8 * i));
        }
    }

    public static boolean isImm8(long value) {
        return value >= -128 && value <= 127;
    }

    /**
     * Whether a jump between BPF instructions takes its 2-byte form, as the kernel decides it: only within
     * [-124, 123], 4 bytes inside rel8's range, so that a neighbouring jump switching form between passes (a
     * jcc shrinks by 4) cannot push this one back and forth across the edge and layout passes always converge.
     */
    public static boolean isShortJump(long displacement) {
        return displacement >= -128 + 4 && displacement <= 127 - 4;
    }

    public static boolean isImm32(long value) {
        return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
    }

    // ---- prefixes, ModRM and SIB ----

    /**
     * REX prefix when needed: W for 64-bit size, R/X/B extend reg, index and base. {@code byteRegister} forces
     * a REX for spl/bpl/sil/dil, which without it would mean ah/ch/dh/bh.
     */
    private void rex(boolean w, int reg, int index, int base, boolean byteRegister) {
        int rex = 0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 | ((base >> 3) & 1);
        if (rex != 0x40 || byteRegister) {
            emit8(rex);
        }
    }

    private static boolean needsRexForByte(int register) {
        return register >= Registers.RSP && register <= Registers.RDI;
    }

    private void modrmDirect(int reg, int rm) {
        emit8(0xc0 | (reg & 7) << 3 | (rm & 7));
    }

    /**
     * ModRM (and SIB) for {@code [base + disp]}. rsp/r12 as base need a SIB byte (rm = 100 means "SIB
     * follows"); rbp/r13 with mod 00 would mean rip-relative/absolute, so they always carry a displacement.
     */
    private void modrmMemory(int reg, int base, int disp) {
        int r = (reg & 7) << 3;
        int b = base & 7;
        int mod;
        if (disp == 0 && b != Registers.RBP) {
            mod = 0x00;
        } else if (isImm8(disp)) {
            mod = 0x40;
        } else {
            mod = 0x80;
        }
        emit8(mod | r | b);
        if (b == Registers.RSP) {
            emit8(0x24); // SIB: no index, base = rsp/r12
        }
        if (mod == 0x40) {
            emit8(disp);
        } else if (mod == 0x80) {
            emit32(disp);
        }
    }

    /** ModRM (+ SIB) for {@code [base + disp32]}, a 32-bit displacement even when 8 bits would do. */
    private void modrmMemoryDisp32(int reg, int base, int disp) {
        emit8(0x80 | (reg & 7) << 3 | base & 7);
        if ((base & 7) == Registers.RSP) {
            emit8(0x24);
        }
        emit32(disp);
    }

    /** {@code mov r32, [base + disp32]} (8B /r, mod 10): the kernel's fixed-width form for the tail-call counter. */
    public void load32Disp32(int dst, int base, int disp) {
        rex(false, dst, 0, base, false);
        emit8(0x8b);
        modrmMemoryDisp32(dst, base, disp);
    }

    /** {@code mov [base + disp32], r32} (89 /r, mod 10). */
    public void store32Disp32(int base, int disp, int src) {
        rex(false, src, 0, base, false);
        emit8(0x89);
        modrmMemoryDisp32(src, base, disp);
    }

    /** {@code mov r64, [base + disp32]} (REX.W 8B /r, mod 10): the counter reload before a bpf-to-bpf call. */
    public void load64Disp32(int dst, int base, int disp) {
        rex(true, dst, 0, base, false);
        emit8(0x8b);
        modrmMemoryDisp32(dst, base, disp);
    }

    /** ModRM + SIB for {@code [base + index*scale + disp]}; index may not be rsp. */
    private void modrmIndexed(int reg, int base, int index, int scale, int disp) {
        if ((index & 15) == Registers.RSP) {
            throw new IllegalArgumentException("rsp cannot be an index register");
        }
        int ss = switch (scale) {
            case 1 -> 0;
            case 2 -> 1;
            case 4 -> 2;
            case 8 -> 3;
            default -> throw new IllegalArgumentException("scale " + scale);
        };
        int mod = (disp == 0 && (base & 7) != Registers.RBP) ? 0x00 : isImm8(disp) ? 0x40 : 0x80;
        emit8(mod | (reg & 7) << 3 | 0x04);
        emit8(ss << 6 | (index & 7) << 3 | (base & 7));
        if (mod == 0x40) {
            emit8(disp);
        } else if (mod == 0x80) {
            emit32(disp);
        }
    }

    // ---- moves ----

    /** mov dst, src (89 /r). */
    public void movRegReg(boolean w, int dst, int src) {
        rex(w, src, 0, dst, false);
        emit8(0x89);
        modrmDirect(src, dst);
    }

    /** mov r32, imm32 (B8+r): zero-extends into the 64-bit register. */
    public void movRegImm32(int dst, int imm) {
        rex(false, 0, 0, dst, false);
        emit8(0xb8 + (dst & 7));
        emit32(imm);
    }

    /** mov r64, imm32 sign-extended (REX.W C7 /0). */
    public void movRegImm32SignExtended(int dst, int imm) {
        rex(true, 0, 0, dst, false);
        emit8(0xc7);
        modrmDirect(0, dst);
        emit32(imm);
    }

    /** mov r64, imm64 (REX.W B8+r io), the only instruction with a 64-bit immediate. */
    public void movRegImm64(int dst, long imm) {
        rex(true, 0, 0, dst, false);
        emit8(0xb8 + (dst & 7));
        emit64(imm);
    }

    /** Zero-extending load of 1, 2, 4 or 8 bytes: movzx r32,byte / movzx r32,word / mov r32 / mov r64. */
    public void load(int sizeBytes, int dst, int base, int disp) {
        switch (sizeBytes) {
            case 1 -> {
                rex(false, dst, 0, base, false);
                emitBytes(0x0f, 0xb6);
            }
            case 2 -> {
                rex(false, dst, 0, base, false);
                emitBytes(0x0f, 0xb7);
            }
            case 4 -> {
                rex(false, dst, 0, base, false);
                emit8(0x8b);
            }
            case 8 -> {
                rex(true, dst, 0, base, false);
                emit8(0x8b);
            }
            default -> throw new IllegalArgumentException("size " + sizeBytes);
        }
        modrmMemory(dst, base, disp);
    }

    /** Sign-extending load into a 64-bit register: movsx r64,byte / movsx r64,word / movsxd r64,dword. */
    public void loadSignExtended(int sizeBytes, int dst, int base, int disp) {
        rex(true, dst, 0, base, false);
        switch (sizeBytes) {
            case 1 -> emitBytes(0x0f, 0xbe);
            case 2 -> emitBytes(0x0f, 0xbf);
            case 4 -> emit8(0x63);
            default -> throw new IllegalArgumentException("size " + sizeBytes);
        }
        modrmMemory(dst, base, disp);
    }

    /** mov r64, [base + index*scale + disp]. */
    public void loadIndexed64(int dst, int base, int index, int scale, int disp) {
        rex(true, dst, index, base, false);
        emit8(0x8b);
        modrmIndexed(dst, base, index, scale, disp);
    }

    /** Store of a register's low 1, 2, 4 or 8 bytes: 88 / 66 89 / 89 / REX.W 89. */
    public void store(int sizeBytes, int base, int disp, int src) {
        if (sizeBytes == 2) {
            emit8(0x66);
        }
        rex(sizeBytes == 8, src, 0, base, sizeBytes == 1 && needsRexForByte(src));
        emit8(sizeBytes == 1 ? 0x88 : 0x89);
        modrmMemory(src, base, disp);
    }

    /** Store of an immediate: C6 /0 ib, 66 C7 /0 iw, C7 /0 id, REX.W C7 /0 id (sign-extended). */
    public void storeImm(int sizeBytes, int base, int disp, int imm) {
        if (sizeBytes == 2) {
            emit8(0x66);
        }
        rex(sizeBytes == 8, 0, 0, base, false);
        emit8(sizeBytes == 1 ? 0xc6 : 0xc7);
        modrmMemory(0, base, disp);
        switch (sizeBytes) {
            case 1 -> emit8(imm);
            case 2 -> emit16(imm);
            default -> emit32(imm);
        }
    }

    /** movzx r32, r8 (0F B6) or movzx r32, r16 (0F B7). */
    public void movzxRegReg(int sourceBytes, int dst, int src) {
        rex(false, dst, 0, src, sourceBytes == 1 && needsRexForByte(src));
        emitBytes(0x0f, sourceBytes == 1 ? 0xb6 : 0xb7);
        modrmDirect(dst, src);
    }

    /** movsx from an 8-, 16- or (64-bit only) 32-bit source: 0F BE, 0F BF, REX.W 63 (movsxd). */
    public void movsxRegReg(boolean w, int sourceBytes, int dst, int src) {
        rex(w, dst, 0, src, sourceBytes == 1 && needsRexForByte(src));
        switch (sourceBytes) {
            case 1 -> emitBytes(0x0f, 0xbe);
            case 2 -> emitBytes(0x0f, 0xbf);
            case 4 -> {
                if (!w) {
                    throw new IllegalArgumentException("movsxd needs a 64-bit destination");
                }
                emit8(0x63);
            }
            default -> throw new IllegalArgumentException("size " + sourceBytes);
        }
        modrmDirect(dst, src);
    }

    /** lea r64, [base + disp]. */
    public void lea(int dst, int base, int disp) {
        rex(true, dst, 0, base, false);
        emit8(0x8d);
        modrmMemory(dst, base, disp);
    }

    /** lea r64, [rip + disp32]: disp counts from the end of this 7-byte instruction. */
    public void leaRipRelative(int dst, int disp) {
        rex(true, dst, 0, 0, false);
        emit8(0x8d);
        emit8((dst & 7) << 3 | 0x05);
        emit32(disp);
    }

    // ---- arithmetic ----

    /** op dst, src for add/or/and/sub/xor/cmp. */
    public void aluRegReg(Alu op, boolean w, int dst, int src) {
        rex(w, src, 0, dst, false);
        emit8(op.opcodeRmReg);
        modrmDirect(src, dst);
    }

    /** op dst, imm: 83 /digit ib when the immediate fits a signed byte, else 81 /digit id. */
    public void aluRegImm(Alu op, boolean w, int dst, int imm) {
        rex(w, 0, 0, dst, false);
        if (isImm8(imm)) {
            emit8(0x83);
            modrmDirect(op.extension, dst);
            emit8(imm);
        } else {
            emit8(0x81);
            modrmDirect(op.extension, dst);
            emit32(imm);
        }
    }

    /** op r64, imm32 in its long form (REX.W 81 /ext id) even for small values: the kernel's fixed-size frame setup. */
    public void aluRegImm32(Alu op, int dst, int imm) {
        rex(true, 0, 0, dst, false);
        emit8(0x81);
        modrmDirect(op.extension, dst);
        emit32(imm);
    }

    /** op reg, [base + disp] (03, 0B, 23, 2B, 33, 3B). */
    public void aluRegMem(Alu op, boolean w, int reg, int base, int disp) {
        rex(w, reg, 0, base, false);
        emit8(op.opcodeRmReg + 2);
        modrmMemory(reg, base, disp);
    }

    /** op [base + disp], src, 32- or 64-bit; with {@link #lock()} before it for atomics. */
    public void aluMemReg(Alu op, boolean w, int base, int disp, int src) {
        rex(w, src, 0, base, false);
        emit8(op.opcodeRmReg);
        modrmMemory(src, base, disp);
    }

    /** op qword/dword [base + disp], imm: 83 /digit ib or 81 /digit id. */
    public void aluMemImm(Alu op, boolean w, int base, int disp, int imm) {
        rex(w, 0, 0, base, false);
        emit8(isImm8(imm) ? 0x83 : 0x81);
        modrmMemory(op.extension, base, disp);
        if (isImm8(imm)) {
            emit8(imm);
        } else {
            emit32(imm);
        }
    }

    /** test a, b (85 /r). */
    public void testRegReg(boolean w, int a, int b) {
        rex(w, b, 0, a, false);
        emit8(0x85);
        modrmDirect(b, a);
    }

    /** test r, imm32 (F7 /0 id; sign-extended in 64-bit form). */
    public void testRegImm(boolean w, int r, int imm) {
        rex(w, 0, 0, r, false);
        emit8(0xf7);
        modrmDirect(0, r);
        emit32(imm);
    }

    /** imul dst, src (0F AF /r). */
    public void imulRegReg(boolean w, int dst, int src) {
        rex(w, dst, 0, src, false);
        emitBytes(0x0f, 0xaf);
        modrmDirect(dst, src);
    }

    /** imul dst, src, imm (6B /r ib or 69 /r id). */
    public void imulRegRegImm(boolean w, int dst, int src, int imm) {
        rex(w, dst, 0, src, false);
        if (isImm8(imm)) {
            emit8(0x6b);
            modrmDirect(dst, src);
            emit8(imm);
        } else {
            emit8(0x69);
            modrmDirect(dst, src);
            emit32(imm);
        }
    }

    private void groupF7(int extension, boolean w, int r) {
        rex(w, 0, 0, r, false);
        emit8(0xf7);
        modrmDirect(extension, r);
    }

    /** neg r (F7 /3). */
    public void negReg(boolean w, int r) {
        groupF7(3, w, r);
    }

    /** Unsigned divide rdx:rax (edx:eax) by r: div r (F7 /6). */
    public void divReg(boolean w, int r) {
        groupF7(6, w, r);
    }

    /** Signed divide rdx:rax (edx:eax) by r: idiv r (F7 /7). */
    public void idivReg(boolean w, int r) {
        groupF7(7, w, r);
    }

    /** cqo (48 99): sign-extends rax into rdx. */
    public void cqo() {
        emitBytes(0x48, 0x99);
    }

    /** cdq (99): sign-extends eax into edx. */
    public void cdq() {
        emit8(0x99);
    }

    /** shift r by cl (D3 /digit). */
    public void shiftRegCl(Shift op, boolean w, int r) {
        rex(w, 0, 0, r, false);
        emit8(0xd3);
        modrmDirect(op.extension, r);
    }

    /** shift r by an immediate: D1 /digit for 1, else C1 /digit ib. */
    public void shiftRegImm(Shift op, boolean w, int r, int count) {
        rex(w, 0, 0, r, false);
        if (count == 1) {
            emit8(0xd1);
            modrmDirect(op.extension, r);
        } else {
            emit8(0xc1);
            modrmDirect(op.extension, r);
            emit8(count);
        }
    }

    /** rotate the low 16 bits: 66 C1 /0 ib (rol r16, imm). */
    public void rol16RegImm(int r, int count) {
        emit8(0x66);
        rex(false, 0, 0, r, false);
        emit8(0xc1);
        modrmDirect(Shift.ROL.extension, r);
        emit8(count);
    }

    /** bswap r32 / r64 (0F C8+r). */
    public void bswap(boolean w, int r) {
        rex(w, 0, 0, r, false);
        emitBytes(0x0f, 0xc8 + (r & 7));
    }

    // ---- atomics ----

    /** The lock prefix (F0) for the next read-modify-write instruction. */
    public void lock() {
        emit8(0xf0);
    }

    /** xchg [base + disp], reg (87 /r); locked by the processor even without the prefix. */
    public void xchgMemReg(boolean w, int base, int disp, int reg) {
        rex(w, reg, 0, base, false);
        emit8(0x87);
        modrmMemory(reg, base, disp);
    }

    /** cmpxchg [base + disp], reg (0F B1 /r): compares with rax/eax. */
    public void cmpxchgMemReg(boolean w, int base, int disp, int reg) {
        rex(w, reg, 0, base, false);
        emitBytes(0x0f, 0xb1);
        modrmMemory(reg, base, disp);
    }

    /** xadd [base + disp], reg (0F C1 /r): reg receives the old value. */
    public void xaddMemReg(boolean w, int base, int disp, int reg) {
        rex(w, reg, 0, base, false);
        emitBytes(0x0f, 0xc1);
        modrmMemory(reg, base, disp);
    }

    // ---- stack and control flow ----

    /** push r64 (50+r, 41 prefix for r8..r15). */
    public void push(int r) {
        rex(false, 0, 0, r, false);
        emit8(0x50 + (r & 7));
    }

    /** pop r64 (58+r). */
    public void pop(int r) {
        rex(false, 0, 0, r, false);
        emit8(0x58 + (r & 7));
    }

    /** leave (C9): mov rsp, rbp; pop rbp. */
    public void leave() {
        emit8(0xc9);
    }

    public void ret() {
        emit8(0xc3);
    }

    /** call rel32 (E8); disp counts from the end of the 5-byte instruction. */
    public void callRel32(int disp) {
        emit8(0xe8);
        emit32(disp);
    }

    /** call r64 (FF /2). */
    public void callReg(int r) {
        rex(false, 0, 0, r, false);
        emit8(0xff);
        modrmDirect(2, r);
    }

    /** jmp r64 (FF /4). */
    public void jmpReg(int r) {
        rex(false, 0, 0, r, false);
        emit8(0xff);
        modrmDirect(4, r);
    }

    public void jmpRel8(int disp) {
        emit8(0xeb);
        emit8(disp);
    }

    public void jmpRel32(int disp) {
        emit8(0xe9);
        emit32(disp);
    }

    public void jccRel8(int cc, int disp) {
        emit8(0x70 | cc);
        emit8(disp);
    }

    public void jccRel32(int cc, int disp) {
        emitBytes(0x0f, 0x80 | cc);
        emit32(disp);
    }

    /** jmp to a known position of this buffer (a backward target), short when it reaches. */
    public void jmpTo(int target) {
        int short8 = target - (position() + 2);
        if (isImm8(short8)) {
            jmpRel8(short8);
        } else {
            jmpRel32(target - (position() + 5));
        }
    }

    /** jcc to a known position of this buffer (a backward target), short when it reaches. */
    public void jccTo(int cc, int target) {
        int short8 = target - (position() + 2);
        if (isImm8(short8)) {
            jccRel8(cc, short8);
        } else {
            jccRel32(cc, target - (position() + 6));
        }
    }

    /** call to a known position of this buffer. */
    public void callTo(int target) {
        callRel32(target - (position() + 5));
    }

    /** A short forward jcc whose target is bound later with {@link #bindForward8}; returns the patch position. */
    public int jccForward8(int cc) {
        jccRel8(cc, 0);
        return position() - 1;
    }

    /** A short forward jmp bound later with {@link #bindForward8}; returns the patch position. */
    public int jmpForward8() {
        jmpRel8(0);
        return position() - 1;
    }

    /** Points a short forward jump at the current position. */
    public void bindForward8(int patchPosition) {
        int disp = position() - (patchPosition + 1);
        if (disp > 127) {
            throw new IllegalStateException("short jump too far: " + disp);
        }
        code[patchPosition] = (byte) disp;
    }

    // ---- nops ----

    /** The 5-byte nop 0F 1F 44 00 00 (nopl [rax+rax*1+0]): the patch site of prologues and tail calls. */
    public void nop5() {
        emitBytes(0x0f, 0x1f, 0x44, 0x00, 0x00);
    }

    /** The 2-byte nop 66 90. */
    public void nop2() {
        emitBytes(0x66, 0x90);
    }

    /** 90: one byte of padding. */
    public void nop1() {
        emit8(0x90);
    }
}
