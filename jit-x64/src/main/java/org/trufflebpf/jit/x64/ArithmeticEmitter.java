package org.trufflebpf.jit.x64;

import static org.trufflebpf.jit.x64.Registers.*;

import org.trufflebpf.jit.x64.X86Assembler.Alu;
import org.trufflebpf.jit.x64.X86Assembler.Shift;

/**
 * The BPF operations that take more than one x86 instruction: constants in their shortest form, division
 * and modulo without traps, shifts by a register, byte swaps, and the fetching atomics without an x86
 * equivalent.
 */
final class ArithmeticEmitter {
    private final X86Assembler asm;

    ArithmeticEmitter(X86Assembler asm) {
        this.asm = asm;
    }

    /** A 64-bit constant in its shortest form (xor, mov r32, mov r64 sign-extended, movabs). */
    void movImm64(int d, long value) {
        if (value == 0) {
            asm.aluRegReg(Alu.XOR, false, d, d);
        } else if (value > 0 && value <= 0xffffffffL) {
            asm.movRegImm32(d, (int) value);
        } else if (X86Assembler.isImm32(value)) {
            asm.movRegImm32SignExtended(d, (int) value);
        } else {
            asm.movRegImm64(d, value);
        }
    }

    void movImm32(int d, int value) {
        if (value == 0) {
            asm.aluRegReg(Alu.XOR, false, d, d);
        } else {
            asm.movRegImm32(d, value);
        }
    }

    /**
     * BPF division never traps: x / 0 = 0, x % 0 = x (truncated to 32 bits in the 32-bit class), and signed
     * INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0, which x86 idiv would fault on. The divisor goes to r11; rax and
     * rdx are saved around div unless they are the destination.
     */
    void lowerDivMod(boolean w, boolean reg, boolean signed, boolean mod, int d, int s, int imm) {
        if (reg) {
            asm.movRegReg(w, AUX, s);
        } else if (w) {
            movImm64(AUX, imm);
        } else {
            movImm32(AUX, imm);
        }
        asm.testRegReg(w, AUX, AUX);
        int nonZero = asm.jccForward8(X86Assembler.CC_NE);
        if (!mod) {
            asm.aluRegReg(Alu.XOR, false, d, d);
        } else if (!w) {
            asm.movRegReg(false, d, d);
        }
        int doneZero = asm.jmpForward8();
        asm.bindForward8(nonZero);
        int doneMinusOne = -1;
        if (signed) {
            asm.aluRegImm(Alu.CMP, w, AUX, -1);
            int notMinusOne = asm.jccForward8(X86Assembler.CC_NE);
            if (mod) {
                asm.aluRegReg(Alu.XOR, false, d, d);
            } else {
                asm.negReg(w, d);
            }
            doneMinusOne = asm.jmpForward8();
            asm.bindForward8(notMinusOne);
        }
        if (d != RAX) {
            asm.push(RAX);
        }
        if (d != RDX) {
            asm.push(RDX);
        }
        if (d != RAX) {
            asm.movRegReg(w, RAX, d);
        }
        if (signed) {
            if (w) {
                asm.cqo();
            } else {
                asm.cdq();
            }
            asm.idivReg(w, AUX);
        } else {
            asm.aluRegReg(Alu.XOR, false, RDX, RDX);
            asm.divReg(w, AUX);
        }
        asm.movRegReg(w, AUX, mod ? RDX : RAX);
        if (d != RDX) {
            asm.pop(RDX);
        }
        if (d != RAX) {
            asm.pop(RAX);
        }
        asm.movRegReg(w, d, AUX);
        asm.bindForward8(doneZero);
        if (doneMinusOne >= 0) {
            asm.bindForward8(doneMinusOne);
        }
    }

    /**
     * x86 masks shift counts by 63 (64-bit) or 31 (32-bit) exactly as BPF does. A count in a register must be
     * in cl: rcx (BPF r4) is saved in r11 around the shift, and when rcx is the destination the shift works
     * on the copy in r11.
     */
    void shift(Shift op, boolean w, boolean reg, int d, int s, int imm) {
        if (!reg) {
            int count = imm & (w ? 63 : 31);
            if (count != 0) {
                asm.shiftRegImm(op, w, d, count);
            } else if (!w) {
                asm.movRegReg(false, d, d);
            }
            return;
        }
        if (s == RCX) {
            asm.shiftRegCl(op, w, d);
        } else if (d == RCX) {
            asm.movRegReg(true, AUX, RCX);
            asm.movRegReg(true, RCX, s);
            asm.shiftRegCl(op, w, AUX);
            asm.movRegReg(true, RCX, AUX);
        } else {
            asm.movRegReg(true, AUX, RCX);
            asm.movRegReg(true, RCX, s);
            asm.shiftRegCl(op, w, d);
            asm.movRegReg(true, RCX, AUX);
        }
    }

    /** le16/32/64 truncate; be16/32/64 and bswap16/32/64 swap then truncate (ALU64 class = bswap). */
    void lowerEndian(boolean alu64, boolean toBigEndian, int d, int width) {
        boolean swap = alu64 || toBigEndian;
        switch (width) {
            case 16 -> {
                if (swap) {
                    asm.rol16RegImm(d, 8);
                }
                asm.movzxRegReg(2, d, d);
            }
            case 32 -> {
                if (swap) {
                    asm.bswap(false, d);
                } else {
                    asm.movRegReg(false, d, d);
                }
            }
            default -> {
                if (swap) {
                    asm.bswap(true, d);
                }
            }
        }
    }

    /**
     * Fetching or/and/xor have no x86 instruction: a cmpxchg loop. rax (r0) is kept in r11 meanwhile, and
     * stands in for the base or source when either is r0.
     */
    void fetchLoop(Alu op, boolean w, int base, int off, int s) {
        asm.movRegReg(true, AUX, RAX);
        int b = base == RAX ? AUX : base;
        int value = s == RAX ? AUX : s;
        asm.load(w ? 8 : 4, RAX, b, off);
        int loop = asm.position();
        asm.movRegReg(w, SCRATCH, RAX);
        asm.aluRegReg(op, w, SCRATCH, value);
        asm.lock();
        asm.cmpxchgMemReg(w, b, off, SCRATCH);
        asm.jccTo(X86Assembler.CC_NE, loop);
        asm.movRegReg(w, SCRATCH, RAX); // the old value
        asm.movRegReg(true, RAX, AUX);
        asm.movRegReg(w, s, SCRATCH);
    }

}
