package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.*;

import java.util.Map;
import java.util.Set;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.TailCallSite;
import org.trufflebpf.verifier.Value.MapPointer;
import org.trufflebpf.verifier.Value.Scalar;
import org.trufflebpf.verifier.Value.StackPointer;
import org.trufflebpf.verifier.Value.Uninit;
import org.trufflebpf.verifier.Value.UninitCause;

/**
 * Runs one instruction on an {@link AbstractState}. The dataflow analysis uses it twice: first without
 * checks to reach a fixpoint, then with {@link #checking} set, where every read of an unwritten register or
 * stack byte, every out-of-frame stack access and every bad helper call is rejected, and the facts the
 * engines need (stack use, tail-call sites, helper ids) are recorded.
 *
 * <p>Helper and bpf-to-bpf calls that receive a stack pointer in r1-r5 (rules kept simple on purpose):
 * <ul>
 * <li>the pointed-to bytes must lie in the frame, and the frame is sized to cover them down to the pointer;</li>
 * <li>what a callee reads through the pointer is not checked for initialisation (helpers such as
 * {@code map_lookup_elem} read a key whose size only the map knows);</li>
 * <li>a helper that may write memory (skb_load_bytes, and any helper we have no signature for) is taken to
 * write {@code [p, p + n)} when the next argument register holds the constant size n, else everything from
 * p up to r10; a called BPF function is taken to write everything from p up to r10. Those bytes count as
 * written afterwards.</li>
 * </ul>
 */
final class AbstractInterpreter {
    private final Program program;
    private final VerifierOptions options;
    private final Rejections reject;
    private final Arithmetic arithmetic = new Arithmetic();

    boolean checking;
    String functionName;
    FrameUse frame;
    Map<Integer, TailCallSite> tailCallSites;
    Set<Integer> helpers;

    AbstractInterpreter(Program program, VerifierOptions options, Rejections reject) {
        this.program = program;
        this.options = options;
        this.reject = reject;
    }

    /** Executes a non-branching instruction, or only checks the reads of a branch or {@code exit}. */
    void step(Instruction insn, AbstractState s) {
        int op = insn.opcode();
        switch (instructionClass(op)) {
            case CLASS_ALU, CLASS_ALU64 -> alu(insn, s);
            case CLASS_LD -> load(insn, s);
            case CLASS_LDX -> {
                read(insn, s, insn.src());
                Value loaded = access(insn, s, insn.src(), sizeBytes(size(op)), true, false, null, loadedValue(op));
                s.set(insn.dst(), loaded);
            }
            case CLASS_ST -> {
                read(insn, s, insn.dst());
                access(insn, s, insn.dst(), sizeBytes(size(op)), false, true, Value.constant(insn.imm()), null);
            }
            case CLASS_STX -> store(insn, s);
            default -> jump(insn, s);
        }
    }

    private void alu(Instruction insn, AbstractState s) {
        int op = insn.opcode();
        int operation = operation(op);
        boolean registerSource = source(op) == SRC_X && operation != ALU_END;
        if (operation != ALU_MOV) {
            read(insn, s, insn.dst());
        }
        if (registerSource) {
            read(insn, s, insn.src());
        }
        Value src = registerSource ? s.get(insn.src()) : Value.constant(insn.imm());
        if (checking) {
            boolean plainCopy = operation == ALU_MOV && instructionClass(op) == CLASS_ALU64 && insn.offset() == 0;
            if (operation != ALU_MOV && s.get(insn.dst()) instanceof MapPointer) {
                throw mapMisuse(insn, insn.dst());
            }
            if (registerSource && !plainCopy && src instanceof MapPointer) {
                throw mapMisuse(insn, insn.src());
            }
        }
        Value result = arithmetic.alu(op, insn.offset(), insn.imm(), s.get(insn.dst()), src);
        frame.escape(arithmetic.escaped);
        s.set(insn.dst(), result);
    }

    /** The runtime's map objects live in native memory next to the program's data: only their identity is usable. */
    private org.trufflebpf.model.BpfError mapMisuse(Instruction insn, int register) {
        return reject.at(functionName, insn, "r" + register + " holds a map reference, which only mov, calls and comparisons may use");
    }

    private void load(Instruction insn, AbstractState s) {
        int op = insn.opcode();
        if (op == LDDW) {
            Value value = switch (insn.src()) {
                case PSEUDO_NONE -> Value.constant(insn.imm64());
                case PSEUDO_MAP_FD, PSEUDO_MAP_IDX -> new MapPointer(insn.imm());
                default -> Value.UNKNOWN;
            };
            s.set(insn.dst(), value);
            return;
        }
        // ldabs/ldind read the packet of the context in r6 and, like a call, clobber r1-r5.
        read(insn, s, 6);
        if (mode(op) == MODE_IND) {
            read(insn, s, insn.src());
        }
        clobberCallerSaved(s);
        s.set(0, loadedValue(op));
    }

    /** What a load of this opcode yields when nothing more is known: the range of its size. */
    private static Value loadedValue(int op) {
        int bytes = sizeBytes(size(op));
        if (bytes == 8) {
            return Value.UNKNOWN;
        }
        if (mode(op) == MODE_MEMSX) {
            long bound = 1L << (bytes * 8 - 1);
            return Value.range(-bound, bound - 1);
        }
        return Value.range(0, (1L << (bytes * 8)) - 1);
    }

    private void store(Instruction insn, AbstractState s) {
        int op = insn.opcode();
        int bytes = sizeBytes(size(op));
        read(insn, s, insn.dst());
        read(insn, s, insn.src());
        Value stored = s.get(insn.src());
        // A stack pointer written to memory may be used later without our knowing: the frame must cover it.
        frame.escape(stored);
        if (mode(op) == MODE_MEM) {
            access(insn, s, insn.dst(), bytes, false, true, stored, null);
            return;
        }
        boolean compareExchange = insn.imm() == ATOMIC_CMPXCHG;
        if (compareExchange) {
            read(insn, s, 0);
        }
        access(insn, s, insn.dst(), bytes, true, true, null, null);
        Value old = bytes == 8 ? Value.UNKNOWN : Value.U32;
        if (compareExchange) {
            s.set(0, old);
        } else if ((insn.imm() & ATOMIC_FETCH) != 0) {
            s.set(insn.src(), old);
        }
    }

    /**
     * A load or store through {@code baseRegister + offset}. Only stack pointers are checked; other memory
     * (context, packet, map values) is checked by the engines at run time. Returns the loaded value.
     */
    private Value access(Instruction insn, AbstractState s, int baseRegister, int bytes, boolean reads, boolean writes, Value stored,
                    Value unknownLoad) {
        if (checking && s.get(baseRegister) instanceof MapPointer) {
            throw mapMisuse(insn, baseRegister);
        }
        if (!(s.get(baseRegister) instanceof StackPointer p)) {
            return unknownLoad;
        }
        if (!p.bounded()) {
            if (checking) {
                throw reject.at(functionName, insn, "stack access through r" + baseRegister + " with an unbounded offset");
            }
            if (writes) {
                s.clobberSpills(-MAX_STACK, 0);
            }
            return unknownLoad;
        }
        long from = p.minOffset() + insn.offset();
        long to = p.maxOffset() + insn.offset() + bytes;
        boolean inFrame = from >= -MAX_STACK && to <= 0;
        if (checking && !inFrame) {
            throw reject.at(functionName, insn, "stack access out of bounds (frame is " + MAX_STACK + " bytes)");
        }
        frame.cover(from);
        if (!inFrame) {
            return unknownLoad;
        }
        boolean fixed = p.minOffset() == p.maxOffset();
        if (reads && checking) {
            long unwritten = s.firstUnwritten(from, to);
            if (unwritten <= 0) {
                throw reject.at(functionName, insn, "reads stack byte r10" + unwritten + ", which is not written on every path");
            }
        }
        Value loaded = unknownLoad;
        if (reads && fixed && bytes == 8 && from % 8 == 0 && s.spilled(from) != null) {
            loaded = s.spilled(from);
        }
        if (writes) {
            s.clobberSpills(from, to);
            if (fixed) {
                s.markWritten(from, to);
                if (stored != null && bytes == 8 && from % 8 == 0) {
                    s.spill(from, stored);
                }
            }
        }
        return loaded;
    }

    private void jump(Instruction insn, AbstractState s) {
        if (insn.isExit()) {
            read(insn, s, 0);
        } else if (insn.isHelperCall()) {
            callHelper(insn, s, insn.imm());
        } else if (insn.isCallx()) {
            callHelper(insn, s, helperIdOf(insn, s));
        } else if (insn.isLocalCall()) {
            callFunction(insn, s);
        } else if (insn.isConditionalBranch()) {
            read(insn, s, insn.dst());
            if (source(insn.opcode()) == SRC_X) {
                read(insn, s, insn.src());
            }
        }
    }

    /** The helper a {@code callx} reaches: its register must hold the same known helper id on every path. */
    private int helperIdOf(Instruction insn, AbstractState s) {
        read(insn, s, insn.dst());
        Value target = s.get(insn.dst());
        if (target instanceof Scalar id && id.isConstant() && options.helperIds().contains((int) id.min()) && id.min() == (int) id.min()) {
            if (checking && id.min() == HelperSignature.TAIL_CALL) {
                throw reject.at(functionName, insn, "bpf_tail_call must be called as 'call 12', not through a register");
            }
            return (int) id.min();
        }
        if (checking) {
            if (target instanceof Scalar id && id.isConstant()) {
                throw reject.at(functionName, insn, "calls unknown helper " + id.min() + " (from r" + insn.dst() + ")");
            }
            throw reject.at(functionName, insn, "r" + insn.dst() + " does not hold the same helper id on every path");
        }
        return -1;
    }

    private void callHelper(Instruction insn, AbstractState s, int id) {
        HelperSignature helper = HelperSignature.of(id);
        for (int r = 1; r <= helper.argumentCount(); r++) {
            read(insn, s, r);
        }
        for (int r = 1; r <= helper.pointerArgumentCount(); r++) {
            if (s.get(r) instanceof StackPointer p) {
                passStackPointer(insn, s, r, p, helper.name());
                if (helper.writesMemory()) {
                    helperWrites(s, r, p);
                }
            }
        }
        if (checking) {
            helpers.add(id);
            if (id == HelperSignature.TAIL_CALL) {
                tailCallSites.put(insn.index(), tailCallSite(insn, s));
            }
        }
        clobberCallerSaved(s);
        s.set(0, id == HelperSignature.TAIL_CALL ? new Uninit(UninitCause.AFTER_TAIL_CALL) : Value.UNKNOWN);
    }

    private void passStackPointer(Instruction insn, AbstractState s, int register, StackPointer p, String callee) {
        if (checking && (!p.bounded() || p.minOffset() < -MAX_STACK || p.maxOffset() > 0)) {
            throw reject.at(functionName, insn, "passes r" + register + ", a pointer outside the stack frame, to " + callee);
        }
        frame.escape(p);
    }

    /** See the class comment: a constant size in the next argument bounds the write, else up to r10. */
    private static void helperWrites(AbstractState s, int register, StackPointer p) {
        long from = Math.max(p.minOffset(), -MAX_STACK);
        if (!p.bounded() || p.minOffset() != p.maxOffset()) {
            s.clobberSpills(p.bounded() ? from : -MAX_STACK, 0);
            return;
        }
        long to = 0;
        if (register < 5 && s.get(register + 1) instanceof Scalar size && size.isConstant() && size.min() >= 0 && size.min() <= -from) {
            to = from + size.min();
        }
        s.clobberSpills(from, to);
        s.markWritten(from, to);
    }

    private TailCallSite tailCallSite(Instruction insn, AbstractState s) {
        int mapIndex = -1;
        if (s.get(2) instanceof MapPointer m && m.mapIndex() >= 0) {
            MapDefinition map = program.maps().get(m.mapIndex());
            if (map.type() != MapType.PROG_ARRAY) {
                throw reject.at(functionName, insn, "bpf_tail_call needs a prog array in r2, but map '" + map.name() + "' is a "
                                + map.type().name().toLowerCase(java.util.Locale.ROOT));
            }
            mapIndex = m.mapIndex();
        }
        long key = s.get(3) instanceof Scalar k && k.isConstant() ? k.min() & 0xffff_ffffL : -1;
        boolean direct = mapIndex >= 0 && key >= 0 && key < program.maps().get(mapIndex).maxEntries();
        return new TailCallSite(insn.index(), mapIndex, key, direct);
    }

    private void callFunction(Instruction insn, AbstractState s) {
        for (int r = 1; r <= 5; r++) {
            if (s.get(r) instanceof StackPointer p) {
                passStackPointer(insn, s, r, p, "a BPF function");
                if (p.bounded()) {
                    long from = Math.max(p.minOffset(), -MAX_STACK);
                    s.clobberSpills(from, 0);
                    s.markWritten(from, 0);
                } else {
                    s.clobberSpills(-MAX_STACK, 0);
                }
            }
        }
        clobberCallerSaved(s);
        s.set(0, Value.UNKNOWN);
    }

    private static void clobberCallerSaved(AbstractState s) {
        for (int r = 1; r <= 5; r++) {
            s.set(r, new Uninit(UninitCause.CLOBBERED_BY_CALL));
        }
    }

    /** The taken and fall-through states of a conditional jump; null for an edge that cannot be taken. */
    AbstractState[] branch(Instruction insn, AbstractState s) {
        Value dst = s.get(insn.dst());
        boolean registerSource = source(insn.opcode()) == SRC_X;
        Value src = registerSource ? s.get(insn.src()) : null;
        Long constant = BranchRefinement.comparedConstant(insn, src);
        AbstractState[] edges = new AbstractState[2];
        for (int edge = 0; edge < 2; edge++) {
            boolean taken = edge == 0;
            Value dstValue = BranchRefinement.refine(insn, dst, constant, taken);
            Value srcValue = registerSource && insn.src() != insn.dst() ? BranchRefinement.refineSource(insn, src, dst, taken) : src;
            if (dstValue == null || (registerSource && srcValue == null)) {
                continue;
            }
            AbstractState state = taken ? s.copy() : s;
            state.set(insn.dst(), dstValue);
            if (registerSource && insn.src() != insn.dst()) {
                state.set(insn.src(), srcValue);
            }
            edges[edge] = state;
        }
        return edges;
    }

    private void read(Instruction insn, AbstractState s, int register) {
        if (checking && s.get(register) instanceof Uninit u) {
            throw reject.at(functionName, insn, "r" + register + " " + u.cause().description);
        }
    }
}
