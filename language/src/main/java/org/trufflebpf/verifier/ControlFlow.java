package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionRules;
import org.trufflebpf.model.LinuxHelpers;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;

/**
 * The structure of a program before any value is known: which encodings are valid, where the functions are,
 * where every jump and call goes, and which instructions are reachable. Splits each function into basic
 * blocks for the dataflow analysis.
 *
 * <p>Rules checked here: every instruction is a valid encoding with consistent slot indexes; nothing writes
 * r10; jumps stay inside their function and never land in the second slot of {@code lddw}; call and
 * {@code lddw func:} targets are instruction starts; map references name existing maps; constant helper ids
 * are known; a function's last instruction is {@code exit} or {@code ja} (no fall-through past its end);
 * every instruction is reachable from its function's start.
 */
final class ControlFlow {

    /** A function: positions {@code [startPos, endPos)} in {@link Program#code()}, blocks {@code [firstBlock, endBlock)}. */
    record Function(int id, String name, int startPos, int endPos, int startSlot, int endSlot, int firstBlock, int endBlock) {
    }

    /**
     * A straight-line run of instructions, positions {@code [startPos, endPos)}. Its last instruction decides the
     * successors: {@code taken} is the block a branch goes to, {@code next} the block execution falls into
     * (-1 when there is none).
     */
    record Block(int id, int function, int startPos, int endPos, int taken, int next) {
    }

    final Program program;
    final List<Instruction> code;
    final List<Function> functions = new ArrayList<>();
    final List<Block> blocks = new ArrayList<>();
    /** Start slots of functions whose address {@code lddw func:} takes (callbacks for helpers). */
    final Set<Integer> addressTaken = new HashSet<>();
    /** Position in {@link #code} of the instruction starting at each slot, -1 for second halves of lddw. */
    private int[] positionOfSlot;
    private int slotCount;
    private final Rejections reject;

    private ControlFlow(Program program, Rejections reject) {
        this.program = program;
        this.code = program.code();
        this.reject = reject;
    }

    static ControlFlow analyze(Program program, VerifierOptions options, Rejections reject) {
        ControlFlow cfg = new ControlFlow(program, reject);
        cfg.checkSizeAndSlots(options);
        cfg.findFunctions();
        for (Instruction insn : cfg.code) {
            cfg.checkInstruction(insn, options);
        }
        for (Function function : cfg.functions) {
            cfg.checkEnd(function);
        }
        for (Function function : cfg.functions) {
            cfg.checkReachable(function);
        }
        cfg.buildBlocks();
        return cfg;
    }

    int positionOf(int slot) {
        return slot >= 0 && slot < slotCount ? positionOfSlot[slot] : -1;
    }

    Function functionOf(int position) {
        int low = 0;
        int high = functions.size() - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (functions.get(mid).startPos() <= position) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return functions.get(low);
    }

    Function functionStartingAt(int slot) {
        int position = positionOf(slot);
        if (position < 0) {
            return null;
        }
        Function function = functionOf(position);
        return function.startSlot() == slot ? function : null;
    }

    private void checkSizeAndSlots(VerifierOptions options) {
        String entryName = nameOf(0, 0);
        if (code.isEmpty()) {
            throw reject.of(entryName, "program has no instructions");
        }
        int expected = 0;
        for (int position = 0; position < code.size(); position++) {
            Instruction insn = code.get(position);
            if (insn.index() != expected) {
                throw reject.at(entryName, insn, "instruction is at slot " + insn.index() + ", expected slot " + expected);
            }
            expected += insn.slots();
        }
        // Slots are contiguous from 0 now, so the program's own length is safe to allocate by.
        slotCount = expected;
        if (slotCount > options.maxInstructions()) {
            throw reject.of(entryName, "program has " + slotCount + " instructions, more than the limit of " + options.maxInstructions());
        }
        positionOfSlot = new int[slotCount];
        Arrays.fill(positionOfSlot, -1);
        for (int position = 0; position < code.size(); position++) {
            positionOfSlot[code.get(position).index()] = position;
        }
    }

    /** Function 0 starts at slot 0; every valid bpf-to-bpf call target and {@code lddw func:} target starts another. */
    private void findFunctions() {
        TreeSet<Integer> starts = ProgramAnalysis.functionStarts(program);
        for (Instruction insn : code) {
            if (ProgramAnalysis.isFunctionReference(insn) && !insn.isLocalCall() && positionOf(insn.localCallTarget()) >= 0) {
                addressTaken.add(insn.localCallTarget());
            }
        }
        List<Integer> ordered = new ArrayList<>(starts);
        for (int i = 0; i < ordered.size(); i++) {
            int startSlot = ordered.get(i);
            int endSlot = i + 1 < ordered.size() ? ordered.get(i + 1) : slotCount;
            int endPos = i + 1 < ordered.size() ? positionOf(endSlot) : code.size();
            functions.add(new Function(i, nameOf(i, startSlot), positionOf(startSlot), endPos, startSlot, endSlot, -1, -1));
        }
    }

    private String nameOf(int functionId, int startSlot) {
        String symbol = program.symbols().get(startSlot);
        if (symbol != null) {
            return symbol;
        }
        return functionId == 0 ? program.name() : "func@" + startSlot;
    }

    private void checkInstruction(Instruction insn, VerifierOptions options) {
        Function function = functionOf(positionOf(insn.index()));
        String name = function.name();
        String problem = InstructionRules.check(insn);
        if (problem != null) {
            throw reject.at(name, insn, problem);
        }
        if (insn.writesFramePointer()) {
            throw reject.at(name, insn, "writes r10, the read-only frame pointer");
        }
        if (insn.isBranch()) {
            checkJumpTarget(function, insn);
        } else if (ProgramAnalysis.isFunctionReference(insn)) {
            checkFunctionTarget(function, insn);
        } else if (insn.isHelperCall() && !options.helperIds().contains(insn.imm())) {
            throw reject.at(name, insn, LinuxHelpers.unsupportedCall(insn.imm()));
        } else if (insn.isHelperCall() && ProgramTypeRules.helperProblem(program.type(), insn.imm()) != null) {
            throw reject.at(name, insn, ProgramTypeRules.helperProblem(program.type(), insn.imm()));
        } else if (insn.isWide()) {
            checkMapReference(name, insn);
        } else if (isPacketLoad(insn) && ProgramTypeRules.packetLoadProblem(program.type()) != null) {
            throw reject.at(name, insn, ProgramTypeRules.packetLoadProblem(program.type()));
        } else if (isDivisionByImmediateZero(insn)) {
            // BPF defines x / 0 = 0 and x % 0 = x, but the kernel refuses a constant 0 divisor as a bug.
            throw reject.at(name, insn, "division by zero: the divisor is the immediate 0");
        }
    }

    /** LD_ABS or LD_IND: the legacy packet loads. */
    private static boolean isPacketLoad(Instruction insn) {
        int mode = mode(insn.opcode());
        return instructionClass(insn.opcode()) == CLASS_LD && (mode == MODE_ABS || mode == MODE_IND);
    }

    /** div, mod, sdiv or smod (32 or 64 bits) by an immediate 0. */
    private static boolean isDivisionByImmediateZero(Instruction insn) {
        int cls = instructionClass(insn.opcode());
        int operation = operation(insn.opcode());
        return (cls == CLASS_ALU || cls == CLASS_ALU64) && source(insn.opcode()) == SRC_K
                        && (operation == ALU_DIV || operation == ALU_MOD) && insn.imm() == 0;
    }

    private void checkJumpTarget(Function function, Instruction insn) {
        int target = insn.branchTarget();
        if (target < 0 || target >= slotCount) {
            throw reject.at(function.name(), insn, "jumps to insn " + target + ", outside the program");
        }
        if (target < function.startSlot() || target >= function.endSlot()) {
            throw reject.at(function.name(), insn, "jumps to insn " + target + ", outside function '" + function.name() + "'");
        }
        if (positionOf(target) < 0) {
            throw reject.at(function.name(), insn, "jumps to insn " + target + ", the second slot of lddw");
        }
    }

    private void checkFunctionTarget(Function function, Instruction insn) {
        int target = insn.localCallTarget();
        String what = insn.isLocalCall() ? "calls" : "takes the address of";
        if (target < 0 || target >= slotCount) {
            throw reject.at(function.name(), insn, what + " insn " + target + ", outside the program");
        }
        if (positionOf(target) < 0) {
            throw reject.at(function.name(), insn, what + " insn " + target + ", the second slot of lddw");
        }
    }

    private void checkMapReference(String name, Instruction insn) {
        int src = insn.src();
        if (src == PSEUDO_NONE) {
            return;
        }
        int mapIndex = insn.imm();
        if (mapIndex < 0 || mapIndex >= program.maps().size()) {
            throw reject.at(name, insn, "refers to map " + mapIndex + ", but the program has " + program.maps().size() + " maps");
        }
        if (src == PSEUDO_MAP_VALUE || src == PSEUDO_MAP_IDX_VALUE) {
            MapDefinition map = program.maps().get(mapIndex);
            int offset = insn.imm2();
            if (offset < 0 || offset >= map.valueSize()) {
                throw reject.at(name, insn, "offset " + offset + " is outside the " + map.valueSize() + "-byte value of map '" + map.name() + "'");
            }
        }
    }

    private void checkEnd(Function function) {
        Instruction last = code.get(function.endPos() - 1);
        if (!last.isExit() && !last.isUnconditionalJump()) {
            throw reject.at(function.name(), last, "execution falls through past the end of function '" + function.name() + "'");
        }
    }

    private void checkReachable(Function function) {
        BitSet reached = new BitSet();
        int[] work = new int[function.endPos() - function.startPos()];
        int top = 0;
        work[top++] = function.startPos();
        reached.set(function.startPos());
        while (top > 0) {
            int position = work[--top];
            Instruction insn = code.get(position);
            if (insn.isBranch()) {
                int target = positionOf(insn.branchTarget());
                if (!reached.get(target)) {
                    reached.set(target);
                    work[top++] = target;
                }
            }
            if (fallsThrough(insn) && !reached.get(position + 1)) {
                reached.set(position + 1);
                work[top++] = position + 1;
            }
        }
        int unreached = reached.nextClearBit(function.startPos());
        if (unreached < function.endPos()) {
            throw reject.at(function.name(), code.get(unreached), "unreachable instruction");
        }
    }

    static boolean fallsThrough(Instruction insn) {
        return !insn.isExit() && !insn.isUnconditionalJump();
    }

    /** Leaders: function starts, branch targets, and instructions after a branch or exit. */
    private void buildBlocks() {
        BitSet leaders = new BitSet(code.size());
        for (Function function : functions) {
            leaders.set(function.startPos());
        }
        for (int position = 0; position < code.size(); position++) {
            Instruction insn = code.get(position);
            if (insn.isBranch()) {
                leaders.set(positionOf(insn.branchTarget()));
            }
            if ((insn.isBranch() || insn.isExit()) && position + 1 < code.size()) {
                leaders.set(position + 1);
            }
        }
        int[] blockOfLeader = new int[code.size()];
        List<int[]> ranges = new ArrayList<>();
        for (int start = leaders.nextSetBit(0); start >= 0; start = leaders.nextSetBit(start + 1)) {
            int end = leaders.nextSetBit(start + 1);
            blockOfLeader[start] = ranges.size();
            ranges.add(new int[] {start, end < 0 ? code.size() : end});
        }
        for (int id = 0; id < ranges.size(); id++) {
            int start = ranges.get(id)[0];
            int end = ranges.get(id)[1];
            Instruction last = code.get(end - 1);
            int taken = last.isBranch() ? blockOfLeader[positionOf(last.branchTarget())] : -1;
            int next = fallsThrough(last) ? blockOfLeader[end] : -1;
            blocks.add(new Block(id, functionOf(start).id(), start, end, taken, next));
        }
        for (int i = 0; i < functions.size(); i++) {
            Function f = functions.get(i);
            int first = blockOfLeader[f.startPos()];
            int endBlock = i + 1 < functions.size() ? blockOfLeader[functions.get(i + 1).startPos()] : blocks.size();
            functions.set(i, new Function(f.id(), f.name(), f.startPos(), f.endPos(), f.startSlot(), f.endSlot(), first, endBlock));
        }
    }
}
