package org.trufflebpf.truffle.nodes;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.SourceLine;

/**
 * One pre-decoded instruction of a function: everything the interpreter loop needs, resolved once at load
 * (lddw fused and its map references turned into addresses, branch targets as positions in the function's
 * code, call sites numbered), plus the original instruction for error messages. All fields are final, so the
 * compiler folds them when it unrolls the loop over a constant code array.
 */
final class Op {
    /** Kinds above the opcode byte range for calls, which the decoder tells apart by their pseudo source. */
    static final int HELPER_CALL = 0x100;
    static final int TAIL_CALL = 0x101;
    static final int LOCAL_CALL = 0x102;
    static final int HELPER_CALLX = 0x103;

    /** The opcode byte, or one of the call kinds above. */
    final int kind;
    final int dst;
    final int src;
    final int offset;
    /** The immediate, sign-extended; for lddw the resolved 64-bit value; for helper calls the helper id. */
    final long imm;
    /** Position of a branch target in the function's code; for local calls, the callee's function id. */
    final int target;
    /** Length of the budget block starting here, 0 if none starts here. */
    final int blockLength;
    /** Index of this call site in the function's call-site nodes. */
    final int site;
    final Instruction insn;
    /**
     * No bounds check needed: a load or store through r10 whose whole access lies in the current frame, or an
     * access the verifier proved to stay in its region ({@code ProgramAnalysis.provenAccesses}), as the native
     * engine skips it too.
     */
    final boolean unchecked;
    /** The source line the instruction comes from, or null; for error messages and tools. */
    final SourceLine line;
    /** The line node of a line this instruction begins (for instruments), -1 if it begins none. */
    final int lineProbe;
    /** The call-site node of this call (for instruments), -1 if it is no call. */
    final int callProbe;

    Op(int kind, int dst, int src, int offset, long imm, int target, int blockLength, int site, Instruction insn, int frameSize, boolean proven,
                    SourceLine line, int lineProbe, int callProbe) {
        this.kind = kind;
        this.dst = dst;
        this.src = src;
        this.offset = offset;
        this.imm = imm;
        this.target = target;
        this.blockLength = blockLength;
        this.site = site;
        this.insn = insn;
        this.unchecked = proven || computeInFrame(insn, frameSize);
        this.line = line;
        this.lineProbe = lineProbe;
        this.callProbe = callProbe;
    }

    private static boolean computeInFrame(Instruction insn, int frameSize) {
        int cls = insn.instructionClass();
        int base;
        if (cls == Opcodes.CLASS_LDX) {
            base = insn.src();
        } else if (cls == Opcodes.CLASS_ST || cls == Opcodes.CLASS_STX) {
            base = insn.dst();
        } else {
            return false;
        }
        int size = Opcodes.sizeBytes(Opcodes.size(insn.opcode()));
        return base == Opcodes.FRAME_POINTER && insn.offset() >= -frameSize && insn.offset() + size <= 0;
    }
}
