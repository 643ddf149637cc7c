package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.trufflebpf.jit.x64.Registers.*;

import java.util.HexFormat;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.trufflebpf.jit.x64.X86Assembler.Alu;
import org.trufflebpf.jit.x64.X86Assembler.Shift;

/** Encodings checked byte for byte; the expected bytes were produced once with {@code llvm-mc -show-encoding}. */
class X86AssemblerTest {

    private static void assertBytes(String expectedHex, Consumer<X86Assembler> emit) {
        X86Assembler asm = new X86Assembler();
        emit.accept(asm);
        assertEquals(expectedHex.replace(" ", ""), HexFormat.of().formatHex(asm.toByteArray()));
    }

    @Test
    void movesBetweenRegistersAndImmediates() {
        assertBytes("48 89 c7", a -> a.movRegReg(true, RDI, RAX));
        assertBytes("b8 78 56 34 12", a -> a.movRegImm32(RAX, 0x12345678));
        assertBytes("49 c7 c3 fb ff ff ff", a -> a.movRegImm32SignExtended(R11, -5));
        assertBytes("49 ba 88 77 66 55 44 33 22 11", a -> a.movRegImm64(R10, 0x1122334455667788L));
    }

    @Test
    void loadsHandleRbpR13AndRspR12Bases() {
        assertBytes("0f b6 47 04", a -> a.load(1, RAX, RDI, 4));
        assertBytes("45 0f b7 6d 00", a -> a.load(2, R13, R13, 0)); // r13 base needs disp8 0
        assertBytes("41 8b 74 24 f8", a -> a.load(4, RSI, R12, -8)); // r12 base needs a SIB byte
        assertBytes("48 8b 9d 00 fe ff ff", a -> a.load(8, RBX, RBP, -512)); // disp32
        assertBytes("48 0f be 06", a -> a.loadSignExtended(1, RAX, RSI, 0));
        assertBytes("4c 0f bf 7d fe", a -> a.loadSignExtended(2, R15, RBP, -2));
        assertBytes("49 63 48 64", a -> a.loadSignExtended(4, RCX, R8, 100));
        assertBytes("4f 8b 1c da", a -> a.loadIndexed64(R11, R10, R11, 8, 0));
        assertBytes("4a 8b 44 ed 10", a -> a.loadIndexed64(RAX, RBP, R13, 8, 16));
    }

    @Test
    void storesForceRexForSilAndDil() {
        assertBytes("40 88 77 01", a -> a.store(1, RDI, 1, RSI));
        assertBytes("40 88 38", a -> a.store(1, RAX, 0, RDI));
        assertBytes("66 45 89 45 02", a -> a.store(2, R13, 2, R8));
        assertBytes("89 04 24", a -> a.store(4, RSP, 0, RAX));
        assertBytes("4c 89 75 f8", a -> a.store(8, RBP, -8, R14));
        assertBytes("c6 07 7f", a -> a.storeImm(1, RDI, 0, 0x7f));
        assertBytes("66 c7 47 02 34 12", a -> a.storeImm(2, RDI, 2, 0x1234));
        assertBytes("41 c7 04 24 ff ff ff ff", a -> a.storeImm(4, R12, 0, -1));
        assertBytes("48 c7 45 f0 00 01 00 00", a -> a.storeImm(8, RBP, -16, 0x100));
    }

    @Test
    void zeroAndSignExtensions() {
        assertBytes("40 0f b6 c6", a -> a.movzxRegReg(1, RAX, RSI));
        assertBytes("45 0f b7 c1", a -> a.movzxRegReg(2, R8, R9));
        assertBytes("48 0f be c7", a -> a.movsxRegReg(true, 1, RAX, RDI));
        assertBytes("0f bf d1", a -> a.movsxRegReg(false, 2, RDX, RCX));
        assertBytes("4d 63 fd", a -> a.movsxRegReg(true, 4, R15, R13));
        assertThrows(IllegalArgumentException.class, () -> new X86Assembler().movsxRegReg(false, 4, RAX, RCX));
    }

    @Test
    void leaIncludingRipRelative() {
        assertBytes("4c 8d 57 08", a -> a.lea(R10, RDI, 8));
        assertBytes("4c 8d 1d 10 00 00 00", a -> a.leaRipRelative(R11, 16));
    }

    @Test
    void aluChoosesImm8OrImm32() {
        assertBytes("48 01 d8", a -> a.aluRegReg(Alu.ADD, true, RAX, RBX));
        assertBytes("45 01 f5", a -> a.aluRegReg(Alu.ADD, false, R13, R14));
        assertBytes("48 83 cf 01", a -> a.aluRegImm(Alu.OR, true, RDI, 1));
        assertBytes("48 81 e6 00 10 00 00", a -> a.aluRegImm(Alu.AND, true, RSI, 0x1000));
        assertBytes("83 ec 04", a -> a.aluRegImm(Alu.SUB, false, RSP, 4));
        assertBytes("31 c0", a -> a.aluRegReg(Alu.XOR, false, RAX, RAX));
        assertBytes("49 83 fb ff", a -> a.aluRegImm(Alu.CMP, true, R11, -1));
        assertBytes("4d 3b 54 24 18", a -> a.aluRegMem(Alu.CMP, true, R10, R12, 24));
        assertBytes("48 85 c0", a -> a.testRegReg(true, RAX, RAX));
        assertBytes("41 f7 c3 80 00 00 00", a -> a.testRegImm(false, R11, 0x80));
    }

    @Test
    void multiplyDivideNegate() {
        assertBytes("49 0f af c7", a -> a.imulRegReg(true, RAX, R15));
        assertBytes("6b c9 03", a -> a.imulRegRegImm(false, RCX, RCX, 3));
        assertBytes("48 69 d2 e8 03 00 00", a -> a.imulRegRegImm(true, RDX, RDX, 1000));
        assertBytes("49 f7 d8", a -> a.negReg(true, R8));
        assertBytes("49 f7 f3", a -> a.divReg(true, R11));
        assertBytes("41 f7 fb", a -> a.idivReg(false, R11));
        assertBytes("48 99", X86Assembler::cqo);
        assertBytes("99", X86Assembler::cdq);
    }

    @Test
    void shiftsRotatesAndByteSwaps() {
        assertBytes("48 d3 e7", a -> a.shiftRegCl(Shift.SHL, true, RDI));
        assertBytes("41 d3 fd", a -> a.shiftRegCl(Shift.SAR, false, R13));
        assertBytes("48 d1 e8", a -> a.shiftRegImm(Shift.SHR, true, RAX, 1));
        assertBytes("48 c1 cb 07", a -> a.shiftRegImm(Shift.ROR, true, RBX, 7));
        assertBytes("66 c1 c2 08", a -> a.rol16RegImm(RDX, 8));
        assertBytes("0f c8", a -> a.bswap(false, RAX));
        assertBytes("49 0f ce", a -> a.bswap(true, R14));
    }

    @Test
    void lockedReadModifyWrite() {
        assertBytes("f0 48 01 77 08", a -> {
            a.lock();
            a.aluMemReg(Alu.ADD, true, RDI, 8, RSI);
        });
        assertBytes("f0 41 31 45 fc", a -> {
            a.lock();
            a.aluMemReg(Alu.XOR, false, R13, -4, RAX);
        });
        assertBytes("f0 48 87 37", a -> {
            a.lock();
            a.xchgMemReg(true, RDI, 0, RSI);
        });
        assertBytes("f0 0f b1 4e fc", a -> {
            a.lock();
            a.cmpxchgMemReg(false, RSI, -4, RCX);
        });
        assertBytes("f0 4c 0f c1 45 f8", a -> {
            a.lock();
            a.xaddMemReg(true, RBP, -8, R8);
        });
    }

    @Test
    void stackAndIndirectControlFlow() {
        assertBytes("55 41 55 41 5f 59 c9 c3", a -> {
            a.push(RBP);
            a.push(R13);
            a.pop(R15);
            a.pop(RCX);
            a.leave();
            a.ret();
        });
        assertBytes("41 ff d3", a -> a.callReg(R11));
        assertBytes("ff e1", a -> a.jmpReg(RCX));
    }

    @Test
    void relativeJumpsTakeShortFormsWhenTheyReach() {
        assertBytes("eb 7f", a -> a.jmpRel8(127));
        assertBytes("e9 80 00 00 00", a -> a.jmpRel32(128));
        assertBytes("74 80", a -> a.jccRel8(X86Assembler.CC_E, -128));
        assertBytes("0f 8f 7f ff ff ff", a -> a.jccRel32(X86Assembler.CC_G, -129));
        assertBytes("e8 fb ff ff ff", a -> a.callRel32(-5));
        // A backward jump to the buffer's start: 2 bytes short, so -2.
        assertBytes("eb fe", a -> a.jmpTo(0));
        assertBytes("75 02 90 90", a -> {
            int site = a.jccForward8(X86Assembler.CC_NE);
            a.emitBytes(0x90, 0x90);
            a.bindForward8(site);
        });
    }

    @Test
    void nopsArePatchSites() {
        assertBytes("0f 1f 44 00 00", X86Assembler::nop5);
        assertBytes("66 90", X86Assembler::nop2);
    }
}
