package org.trufflebpf.model;

import static org.trufflebpf.model.Opcodes.*;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Instruction forms, the unit of a fuzz campaign's instruction coverage: an opcode byte (class, operation, source or
 * size and mode) together with the field that picks a variant of it where one does: signed division and modulo and
 * sign-extending moves (offset), byte-swap width and atomic operation (immediate), call kind and {@code lddw} pseudo
 * source (source register). The valid forms are those {@link InstructionRules} accepts, so the set follows the
 * instruction set the engines implement.
 */
public final class InstructionForms {
    private static final String[] CLASS_NAMES = {"ld", "ldx", "st", "stx", "alu32", "jmp", "jmp32", "alu64"};
    private static final Set<String> ALL = enumerate();

    private InstructionForms() {
    }

    /** The form of an instruction, e.g. {@code alu64 0x3f off=1} (sdiv by a register); it starts with the class's name. */
    public static String of(Instruction insn) {
        int op = insn.opcode();
        int cls = instructionClass(op);
        String variant = null;
        if (cls == CLASS_ALU || cls == CLASS_ALU64) {
            int operation = operation(op);
            if (operation == ALU_DIV || operation == ALU_MOD || (operation == ALU_MOV && source(op) == SRC_X)) {
                variant = "off=" + insn.offset();
            } else if (operation == ALU_END) {
                variant = "imm=" + insn.imm();
            }
        } else if (cls == CLASS_STX && mode(op) == MODE_ATOMIC) {
            variant = String.format("imm=0x%02x", insn.imm());
        } else if (op == CALL || op == LDDW) {
            variant = "src=" + insn.src();
        }
        return String.format("%s 0x%02x%s", CLASS_NAMES[cls], op, variant == null ? "" : " " + variant);
    }

    /** Every valid form, sorted. */
    public static Set<String> all() {
        return ALL;
    }

    /** The instruction classes' names, in encoding order: what each form starts with. */
    public static String[] classNames() {
        return CLASS_NAMES.clone();
    }

    /** Each opcode byte with each value of the fields that pick a variant (the others at values every instruction allows). */
    private static Set<String> enumerate() {
        int[] sources = {0, 1, 2, 3, 4, 5, 6};
        int[] offsets = {0, 1, 8, 16, 32};
        int[] immediates = {0, 16, 32, 64, ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR, ATOMIC_ADD | ATOMIC_FETCH, ATOMIC_OR | ATOMIC_FETCH,
                        ATOMIC_AND | ATOMIC_FETCH, ATOMIC_XOR | ATOMIC_FETCH, ATOMIC_XCHG, ATOMIC_CMPXCHG};
        Set<String> forms = new TreeSet<>();
        for (int op = 0; op < 256; op++) {
            for (int dst = 0; dst <= 1; dst++) {
                for (int src : sources) {
                    for (int offset : offsets) {
                        for (int imm : immediates) {
                            Instruction insn = new Instruction(0, op, dst, src, offset, imm, 0);
                            if (InstructionRules.check(insn) == null) {
                                forms.add(of(insn));
                            }
                        }
                    }
                }
            }
        }
        return Collections.unmodifiableSet(forms);
    }
}
