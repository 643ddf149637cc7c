package org.trufflebpf.jit.x64;

import java.util.ArrayList;
import java.util.List;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;

/** Builds unverified programs from instructions, numbering their slots. */
final class TestPrograms {
    private TestPrograms() {
    }

    static Program of(List<Instruction> instructions) {
        List<Instruction> numbered = new ArrayList<>();
        int slot = 0;
        for (Instruction insn : instructions) {
            numbered.add(insn.at(slot));
            slot += insn.slots();
        }
        return Program.of("test", ProgramType.RAW, numbered, List.of(), "test.s");
    }

    static Program of(Instruction... instructions) {
        return of(List.of(instructions));
    }
}
