package org.trufflebpf.truffle.nodes;

import static org.trufflebpf.model.Opcodes.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfFunction;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;
import org.trufflebpf.model.SourceLine;
import org.trufflebpf.runtime.BasicBlocks;
import org.trufflebpf.runtime.StackFrames;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.ArrayMap;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.truffle.BpfLanguage;
import org.trufflebpf.verifier.ProgramTypeRules;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.source.Source;
import com.oracle.truffle.api.source.SourceSection;

/**
 * Turns a program into one {@link BpfFunctionNode} per function: splits it into functions (from the
 * verifier's analysis when present, else from the bpf-to-bpf call targets), pre-decodes each instruction into
 * an {@link Op}, and checks what the interpreter relies on (jumps stay in their function, every function ends
 * in exit or jump, every helper exists, every map reference is valid).
 */
public final class ProgramBuilder {
    private final Program program;
    private final MapSet maps;
    private final TailCallAbi tailCallAbi;
    /** Whether the program's functions keep the run's table of active frames (see {@link #tracksFrames(Program)}). */
    private final boolean tracksFrames;
    private final int cpu;
    private final String file;
    private final LineSources sources;

    private ProgramBuilder(Program program, MapSet maps, TailCallAbi tailCallAbi, int cpu, LineSources sources) {
        this.program = program;
        this.sources = sources;
        this.maps = maps;
        this.tailCallAbi = tailCallAbi;
        this.tracksFrames = tracksFrames(program);
        this.cpu = cpu;
        this.file = program.sourceName();
    }

    /**
     * Builds the program's functions and returns the entry function's call target. The tail-call ABI and the
     * CPU runs pretend to be on become constants of the functions' compiled code.
     */
    static CallTarget build(BpfLanguage language, Program program, MapSet maps, TailCallAbi tailCallAbi, int cpu, LineSources sources) {
        return new ProgramBuilder(program, maps, tailCallAbi, cpu, sources).build(language);
    }

    /**
     * Whether a run of the program may need its table of active stack frames, which the run-time checks of
     * accesses and helper arguments consult: always unless the program is verified, calls no helper (nor a tail
     * call) and the verifier found no unproven access through a pointer that may point into a frame. Without the
     * table such a check allows no stack byte at all, so leaving it out can refuse an access, never allow one.
     * A program that does not track makes no tail call, so nothing in its run ever consults the table but its own
     * failed checks' messages.
     */
    private static boolean tracksFrames(Program program) {
        return !program.isVerified() || program.analysis() == null || program.analysis().stackPointersChecked()
                        || !program.analysis().helpers().isEmpty();
    }

    private record Span(String name, int startPos, int endPos, int startSlot) {
    }

    private CallTarget build(BpfLanguage language) {
        List<Instruction> code = program.code();
        if (code.isEmpty()) {
            throw new BpfError(BpfError.Kind.LOAD, file, "program '" + program.name() + "' has no instructions");
        }
        List<Span> spans = functions();
        BpfFunctionNode[] nodes = new BpfFunctionNode[spans.size()];
        for (int f = 0; f < spans.size(); f++) {
            nodes[f] = buildFunction(language, spans, f);
        }
        CallTarget[] targets = new CallTarget[nodes.length];
        for (int f = 0; f < nodes.length; f++) {
            targets[f] = nodes[f].getCallTarget();
        }
        for (BpfFunctionNode node : nodes) {
            node.linkCalls(targets);
        }
        return targets[0];
    }

    private List<Span> functions() {
        List<Instruction> code = program.code();
        TreeSet<Integer> starts = new TreeSet<>();
        if (program.analysis() != null) {
            for (BpfFunction function : program.analysis().functions()) {
                starts.add(function.start());
            }
        } else {
            for (Instruction insn : code) {
                if (insn.isLocalCall() && program.positionOf(insn.localCallTarget()) < 0) {
                    throw loadError(null, insn, "call target " + insn.localCallTarget() + " is not an instruction");
                }
            }
            starts.addAll(ProgramAnalysis.functionStarts(program));
        }
        List<Integer> ordered = new ArrayList<>(starts);
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            int startSlot = ordered.get(i);
            int startPos = program.positionOf(startSlot);
            int endPos = i + 1 < ordered.size() ? program.positionOf(ordered.get(i + 1)) : code.size();
            spans.add(new Span(functionName(startSlot), startPos, endPos, startSlot));
        }
        return spans;
    }

    private String functionName(int startSlot) {
        if (program.analysis() != null) {
            BpfFunction function = program.analysis().functionStartingAt(startSlot);
            if (function != null && function.name() != null) {
                return function.name();
            }
        }
        String symbol = program.symbols().get(startSlot);
        if (symbol != null) {
            return symbol;
        }
        return startSlot == 0 ? program.name() : "func@" + startSlot;
    }

    private BpfFunctionNode buildFunction(BpfLanguage language, List<Span> spans, int id) {
        Span span = spans.get(id);
        List<Instruction> body = program.code().subList(span.startPos, span.endPos);
        int[] blocks = BasicBlocks.blockLengths(body);
        Instruction last = body.get(body.size() - 1);
        if (!last.isExit() && !last.isUnconditionalJump()) {
            throw loadError(span.name, last, "function falls off its end (the last instruction must be exit or ja)");
        }
        Op[] ops = new Op[body.size()];
        int frameSize = StackFrames.frameSize(program, span.startSlot);
        boolean[] branchTargets = new boolean[body.size()];
        for (Instruction insn : body) {
            int targetPos = insn.isBranch() ? program.positionOf(insn.branchTarget()) - span.startPos : -1;
            if (targetPos >= 0 && targetPos < body.size()) {
                branchTargets[targetPos] = true;
            }
        }
        List<LineNode> lineNodes = new ArrayList<>();
        List<LineNode> callNodes = new ArrayList<>();
        Map<SourceLine, Integer> lineIndexes = new HashMap<>();
        SourceLine previous = null;
        int localSites = 0;
        int tailSites = 0;
        int helperSites = 0;
        for (int i = 0; i < body.size(); i++) {
            Instruction insn = body.get(i);
            if (insn.writesFramePointer()) {
                // The interpreter trusts r10 to point at the frame (stack accesses through it are not checked).
                throw loadError(span.name, insn, "r10 is read-only");
            }
            int kind = insn.opcode();
            long imm = insn.imm();
            int target = -1;
            int site = -1;
            if (insn.isBranch()) {
                int targetPos = program.positionOf(insn.branchTarget()) - span.startPos;
                if (targetPos < 0 || targetPos >= body.size()) {
                    throw loadError(span.name, insn, "jump target " + insn.branchTarget() + " is outside the function");
                }
                target = targetPos;
            } else if (insn.isLocalCall()) {
                kind = Op.LOCAL_CALL;
                target = functionIdAt(spans, insn.localCallTarget());
                site = localSites++;
            } else if (insn.isHelperCall()) {
                Helper helper = Helper.byId(imm);
                if (helper == Helper.TAIL_CALL) {
                    kind = Op.TAIL_CALL;
                    site = tailSites++;
                } else if (helper != null && ProgramTypeRules.helperProblem(program.type(), imm) != null) {
                    // Unverified programs too: the verifier's rule, at load.
                    throw loadError(span.name, insn, ProgramTypeRules.helperProblem(program.type(), imm));
                } else if (helper != null) {
                    kind = Op.HELPER_CALL;
                    site = helperSites++;
                } else {
                    throw loadError(span.name, insn, "call to helper " + imm + ", which this engine does not provide");
                }
            } else if (insn.isCallx()) {
                kind = Op.HELPER_CALLX;
                site = helperSites++;
            } else if (insn.opcode() == CALL) {
                throw loadError(span.name, insn, "kernel function calls are not supported");
            } else if (insn.isWide()) {
                imm = resolveLddw(insn, span.name);
            }
            SourceLine line = program.lineOf(insn.index());
            int lineProbe = -1;
            int callProbe = -1;
            if (line != null) {
                // A line begins where the line changes and where a jump lands on an instruction the line table
                // names (so that each loop iteration begins its lines again); an instruction that only keeps the
                // line before it (clang's code of no line) begins nothing, even as a jump target.
                boolean jumpedTo = branchTargets[i] && program.lines().recordsAt(insn.index());
                if (previous == null || jumpedTo || !sameLine(line, previous)) {
                    lineProbe = lineNode(line, lineIndexes, lineNodes);
                }
                previous = line;
                if (kind >= Op.HELPER_CALL) {
                    SourceSection section = lineSection(line);
                    if (section != null) {
                        callProbe = callNodes.size();
                        callNodes.add(new LineNode(section, true));
                    }
                }
            }
            boolean proven = program.isVerified() && program.analysis().isProvenAccess(insn.index());
            ops[i] = new Op(kind, insn.dst(), insn.src(), insn.offset(), imm, target, blocks[i], site, insn, frameSize, proven, line, lineProbe, callProbe);
        }
        BpfFunctionNode.LineSites sites = new BpfFunctionNode.LineSites(lineNodes.toArray(new LineNode[0]), callNodes.toArray(new LineNode[0]));
        // The entry function enters its frame in any case: it may be a tail call's target, which takes over the
        // frame (and the table's entry) of the caller at its depth, and that entry must then be its own.
        return new BpfFunctionNode(language, ops, localSites, tailSites, helperSites, file, span.name, frameSize, tailCallAbi, tracksFrames || id == 0, cpu,
                        maps, functionSection(body), sites);
    }

    private static boolean sameLine(SourceLine a, SourceLine b) {
        return a.line() == b.line() && a.file().equals(b.file());
    }

    /** The index of the node of {@code line} (one per file and line in a function), or -1 if it has no source. */
    private int lineNode(SourceLine line, Map<SourceLine, Integer> indexes, List<LineNode> nodes) {
        SourceLine key = new SourceLine(line.file(), line.line(), 0, "");
        Integer index = indexes.get(key);
        if (index == null) {
            SourceSection section = lineSection(line);
            if (section == null) {
                return -1;
            }
            index = nodes.size();
            nodes.add(new LineNode(section, false));
            indexes.put(key, index);
        }
        return index;
    }

    private SourceSection lineSection(SourceLine line) {
        Source source = sources.sourceOf(line);
        if (source == null || line.line() > source.getLineCount()) {
            return null;
        }
        return source.createSection(line.line());
    }

    /** From the first to the last line of the function's instructions in the file of its first line, or null. */
    private SourceSection functionSection(List<Instruction> body) {
        SourceLine first = program.lineOf(body.get(0).index());
        Source source = first == null ? null : sources.sourceOf(first);
        if (source == null) {
            return null;
        }
        int low = Integer.MAX_VALUE;
        int high = 0;
        for (Instruction insn : body) {
            SourceLine line = program.lineOf(insn.index());
            if (line != null && line.file().equals(first.file()) && line.line() <= source.getLineCount()) {
                low = Math.min(low, line.line());
                high = Math.max(high, line.line());
            }
        }
        if (high == 0) {
            return null;
        }
        int start = source.getLineStartOffset(low);
        int end = source.getLineStartOffset(high) + source.getLineLength(high);
        return source.createSection(start, end - start);
    }

    /** A load error at an instruction, naming its C line when the object has line info. */
    private BpfError loadError(String function, Instruction insn, String reason) {
        return BpfError.at(BpfError.Kind.LOAD, file, function, insn, reason).from(program.lineOf(insn.index()));
    }

    private int functionIdAt(List<Span> spans, int slot) {
        for (int f = 0; f < spans.size(); f++) {
            if (spans.get(f).startSlot == slot) {
                return f;
            }
        }
        throw new IllegalStateException("no function starts at " + slot);
    }

    /** The value lddw loads: its immediate, or the address of a map or of a map's value. */
    private long resolveLddw(Instruction insn, String function) {
        switch (insn.src()) {
            case PSEUDO_NONE:
                return insn.imm64();
            case PSEUDO_MAP_FD, PSEUDO_MAP_IDX:
                return map(insn, function).address();
            case PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE: {
                BpfMap map = map(insn, function);
                if (!(map instanceof ArrayMap array) || map.maxEntries() != 1) {
                    throw loadError(function, insn, "direct value access needs a single-entry array, not " + map);
                }
                long offset = insn.imm2() & 0xffffffffL;
                if (offset >= map.valueSize()) {
                    throw loadError(function, insn, "offset " + offset + " is outside the value of " + map);
                }
                return array.valueAddress(0) + offset;
            }
            default:
                throw loadError(function, insn, "lddw with pseudo source " + insn.src() + " is not supported");
        }
    }

    private BpfMap map(Instruction insn, String function) {
        int index = insn.imm();
        if (index < 0 || index >= maps.size()) {
            throw loadError(function, insn, "map reference " + index + " does not name a map of this object");
        }
        return maps.get(index);
    }
}
