package org.trufflebpf.verifier;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionText;
import org.trufflebpf.model.Program;

/** Builds the verifier's errors for one program: file, function, instruction index and text, reason. */
final class Rejections {
    private final Program program;

    Rejections(Program program) {
        this.program = program;
    }

    BpfError at(String function, Instruction insn, String reason) {
        return new BpfError(BpfError.Kind.VERIFY, program.sourceName(), function, insn.index(), InstructionText.format(insn, program::mapName),
                        reason);
    }

    /** An error about a whole function or program rather than one instruction. */
    BpfError of(String function, String reason) {
        return new BpfError(BpfError.Kind.VERIFY, program.sourceName(), function, -1, null, reason);
    }
}
