package org.trufflebpf.jit.x64;

import static org.trufflebpf.jit.x64.Registers.*;
import static org.trufflebpf.model.Opcodes.MAX_TAIL_CALL_CNT;

import java.util.ArrayList;
import java.util.List;

import org.trufflebpf.jit.x64.X86Assembler.Alu;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.TailCallSite;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.ProgArray;

/** Emits {@code bpf_tail_call}: the indirect sequence of spec §4 and the patched direct one of §5. */
final class TailCallEmitter {
    private final X86Assembler asm;
    private final JitOptions options;
    private final Program program;
    private final NativeMaps maps;
    private final RuntimeStubs stubs;
    private final List<PokeDescriptor> pokes;

    TailCallEmitter(X86Assembler asm, JitOptions options, Program program, NativeMaps maps, RuntimeStubs stubs, List<PokeDescriptor> pokes) {
        this.asm = asm;
        this.options = options;
        this.program = program;
        this.maps = maps;
        this.stubs = stubs;
        this.pokes = pokes;
    }


    /**
     * §4: r1 ctx, r2 prog array, r3 index; any failed check falls through to the next instruction. With the
     * shared-counter ABI the counter lives in the run block and is counted after the NULL check.
     */
    void emitIndirectTailCall(JitFunction current) {
        if (options.checked()) {
            emitProgArrayCheck();
        }
        asm.movRegReg(false, RDX, RDX); // 89 D2: the index is a u32
        asm.aluRegMem(Alu.CMP, false, RDX, RSI, 0); // index >= max_entries → out
        List<Integer> outs = new ArrayList<>();
        outs.add(asm.jccForward8(X86Assembler.CC_AE));
        switch (options.tailCallAbi()) {
            case COUNTER_BY_VALUE -> emitCountByValueThenLoadSlot(current, outs);
            case SHARED -> emitLoadSlotThenCountShared(outs);
        }
        PrologueEmitter.emitTailCallUnwind(asm, current);
        asm.aluRegImm(Alu.ADD, true, RCX, PrologueEmitter.X86_TAIL_CALL_OFFSET);
        asm.jmpReg(RCX); // FF E1
        outs.forEach(asm::bindForward8);
    }

    /** By value: the frame's counter, counted before the NULL check, as the seed does. */
    private void emitCountByValueThenLoadSlot(JitFunction current, List<Integer> outs) {
        emitFrameCounterCheck(current, outs);
        emitSlotLoad(outs);
    }

    /** Shared: the run's counter, counted after the NULL check. */
    private void emitLoadSlotThenCountShared(List<Integer> outs) {
        emitSlotLoad(outs);
        emitCounterCheck(RUN_CONTEXT, NativeRunBlock.TAIL_CALL_COUNT, outs);
    }

    /** rcx = the slot's entry address; empty → out. */
    private void emitSlotLoad(List<Integer> outs) {
        asm.loadIndexed64(RCX, RSI, RDX, 8, ProgArray.SLOTS_OFFSET);
        asm.testRegReg(true, RCX, RCX);
        outs.add(asm.jccForward8(X86Assembler.CC_E));
    }

    /** The frame's counter (by-value ABI), with the seed's bytes: 8B 85 disp32 and 89 85 disp32 at -4 - rsd. */
    private void emitFrameCounterCheck(JitFunction current, List<Integer> outs) {
        int offset = PrologueEmitter.tailCallCounterWordOffset(current);
        asm.load32Disp32(RAX, RBP, offset);
        asm.aluRegImm(Alu.CMP, false, RAX, MAX_TAIL_CALL_CNT - 1);
        outs.add(asm.jccForward8(X86Assembler.CC_A));
        asm.aluRegImm(Alu.ADD, false, RAX, 1);
        asm.store32Disp32(RBP, offset, RAX);
    }

    /** counter > 32 → out (at most 33 tail calls); else counter += 1, stored back. Uses eax. */
    private void emitCounterCheck(int base, int offset, List<Integer> outs) {
        asm.load(4, RAX, base, offset);
        asm.aluRegImm(Alu.CMP, false, RAX, MAX_TAIL_CALL_CNT - 1);
        outs.add(asm.jccForward8(X86Assembler.CC_A));
        asm.aluRegImm(Alu.ADD, false, RAX, 1);
        asm.store(4, base, offset, RAX);
    }

    /** Checked mode: r2 must be one of this program's prog arrays, or the run stops (it would be read as one). */
    private void emitProgArrayCheck() {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < program.maps().size(); i++) {
            if (program.maps().get(i).type() == MapType.PROG_ARRAY && maps.isProgArray(i)) {
                asm.movRegImm64(AUX, maps.mapPointer(i));
                asm.aluRegReg(Alu.CMP, true, RSI, AUX);
                found.add(asm.jccForward8(X86Assembler.CC_E));
            }
        }
        asm.callTo(stubs.notProgArray);
        for (int site : found) {
            asm.bindForward8(site);
        }
    }

    /**
     * §5: the counter check, then two patch sites, each padded to lie inside one aligned 8-byte word so a
     * single 8-byte store replaces it. Emitted in state C (bypass jumps out, target is a nop5); loading the
     * program brings it to its slot's state.
     */
    void emitDirectTailCall(JitFunction current, int currentSlot, TailCallSite site) {
        List<Integer> outs = new ArrayList<>();
        boolean shared = options.tailCallAbi() == TailCallAbi.SHARED;
        if (!shared) {
            emitFrameCounterCheck(current, outs);
        }
        padForPatchSite();
        int bypass = asm.position();
        asm.jmpRel32(0); // tailcall_bypass, aimed at out below
        // Shared counter: counted past the bypass, where the slot is known not to be empty.
        if (shared) {
            emitCounterCheck(RUN_CONTEXT, NativeRunBlock.TAIL_CALL_COUNT, outs);
        }
        PrologueEmitter.emitTailCallUnwind(asm, current);
        padForPatchSite();
        int target = asm.position();
        asm.nop5(); // tailcall_target
        int out = asm.position();
        asm.patch32(bypass + 1, out - (bypass + 5));
        outs.forEach(asm::bindForward8);
        pokes.add(new PokeDescriptor(currentSlot, site.mapIndex(), (int) site.constantKey(), bypass, target, out));
    }

    /** One-byte nops until a 5-byte site starting here stays inside one aligned 8-byte word. */
    private void padForPatchSite() {
        while ((asm.position() & 7) > 3) {
            asm.nop1();
        }
    }
}
