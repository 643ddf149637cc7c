package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.*;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.LinuxHelpers;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.model.TailCallSite;
import org.trufflebpf.runtime.ProgramContexts;
import org.trufflebpf.verifier.Value.MapPointer;
import org.trufflebpf.verifier.Value.MemoryPointer;
import org.trufflebpf.verifier.Value.Scalar;
import org.trufflebpf.verifier.Value.StackPointer;
import org.trufflebpf.verifier.Value.Uninit;
import org.trufflebpf.verifier.Value.UninitCause;

/**
 * Runs one instruction on an {@link AbstractState}. The dataflow analysis uses it to explore (without checks)
 * and then, with {@link #checking} set, to reject every read of an unwritten register or stack byte, every
 * load or store through a number, every out-of-frame stack access and every bad call, while recording the
 * facts the engines need (stack use, tail-call sites, helper ids).
 *
 * <p>Helpers that receive a stack pointer in r1-r5 (rules kept simple on purpose):
 * <ul>
 * <li>the pointer must lie in the frame, and the frame is sized to cover everything from it up to r10;</li>
 * <li>what the helper reads through it is not checked for initialisation, except that a map key or value
 * must fit in the frame at the map's sizes;</li>
 * <li>a helper that may write memory (skb_load_bytes, and any helper we have no signature for) is taken to
 * write {@code [p, p + n)} when the next argument register holds the constant size n, else everything from
 * p up to r10; those bytes count as written afterwards.</li>
 * </ul>
 * Called BPF functions: see {@link #callFunction}.
 */
final class AbstractInterpreter {
    private final Program program;
    private final VerifierOptions options;
    private final Rejections reject;
    private final Arithmetic arithmetic = new Arithmetic(p -> this.frame.escape(p));

    boolean checking;
    String functionName;
    FrameUse frame;
    Map<Integer, TailCallSite> tailCallSites;
    Set<Integer> helpers;
    /** The helper id each checked {@code callx} reached, so that all paths to one site agree. */
    Map<Integer, Integer> callxTargets;
    /**
     * Whether {@code exit} must find r0 written: for the entry function and for functions a helper calls back,
     * not for functions reached by {@code call local}, whose callers find out when they read r0.
     */
    boolean exitReadsR0;
    /** Whether the function starting at a slot sets r0 on every path to its exits. */
    IntPredicate returnsValue;
    /** What the function starting at a slot returns: a memory pointer of one kind on every path, or a number. */
    IntFunction<Value> returnedValue;
    /** How the function starting at a slot uses the caller's stack through its arguments (callees come first). */
    IntFunction<FrameUse> calleeFrames;
    /** The name of the function starting at a slot. */
    IntFunction<String> calleeNames;
    /** Whether calling the function starting at a slot may move the packet ({@link CallGraph#movesPacket}). */
    IntPredicate calleeMovesPacket;
    /** Loads of a context pointer field's offset, by the kind of pointer they read through (checking pass). */
    ContextFieldLoads contextFieldLoads;
    /**
     * Whether the function's pointer arguments have kinds its callers gave (the entry function, and functions
     * reached only by {@code call local}); not for callbacks and unreached functions, whose arguments are
     * pointers of unknown kind by assumption.
     */
    boolean argumentKindsKnown;
    /** While exploring: told what a call passes in r1-r5 (indexes 1-5) to the function at a slot. */
    BiConsumer<Integer, Value[]> argumentsPassed;

    /**
     * Whether the analysis runs on joined states (one per block): only then can a pointer of unknown kind stand
     * for this function's own stack (path by path, states are never joined; arguments of unknown kind point
     * into callers' frames).
     */
    boolean joinedStates;
    /** Checked loads, stores and atomics (instruction indexes), over all functions. */
    final Set<Integer> accesses = new HashSet<>();
    /** Checked accesses that some state reaches without proof that they stay in their region. */
    final Set<Integer> unprovenAccesses = new HashSet<>();
    /** Whether an access left unproven may go through a pointer into a stack frame (see ProgramAnalysis). */
    boolean stackPointerChecked;
    /**
     * Reads that some state proves only through the input's length ({@link InputLength}): proven only while the
     * program starts with r1 and r2 holding its input and the input's length.
     */
    final Set<Integer> lengthProvenAccesses = new HashSet<>();
    /** A raw-memory program whose r2 holds its input's length at entry: {@link InputLength} applies. */
    boolean inputLengthKnown;
    /** Checked loads that may read own-frame stack bytes no path wrote (allowed when {@link VerifierOptions#privileged}). */
    final Set<Integer> unwrittenStackReads = new HashSet<>();
    /** Whether some map is read-only: a store through a map value is then not proven (its map is not tracked). */
    private final boolean hasReadOnlyMap;

    AbstractInterpreter(Program program, VerifierOptions options, Rejections reject) {
        this.program = program;
        this.options = options;
        this.reject = reject;
        this.hasReadOnlyMap = program.maps().stream().anyMatch(MapDefinition::readOnly);
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
        Value dst = s.get(insn.dst());
        if (checking) {
            if (!options.privileged()) {
                leak(insn, PointerLeakRules.alu(insn, dst, src, registerSource));
            }
            boolean plainCopy = operation == ALU_MOV && instructionClass(op) == CLASS_ALU64 && insn.offset() == 0;
            if (operation != ALU_MOV && dst instanceof MapPointer) {
                throw mapMisuse(insn, insn.dst());
            }
            if (registerSource && !plainCopy && src instanceof MapPointer) {
                throw mapMisuse(insn, insn.src());
            }
            // neg and byte swaps of a pointer give a number, which the kernel allows a privileged loader.
            if (operation != ALU_MOV && operation != ALU_NEG && operation != ALU_END) {
                String refused = PointerArithmeticRules.violation(op, insn.dst(), dst, src, registerSource, program.type() != ProgramType.RAW);
                if (refused != null) {
                    throw reject.at(functionName, insn, refused);
                }
            }
        }
        Value result = arithmetic.alu(op, insn.offset(), insn.imm(), dst, src);
        if (inputLengthKnown && instructionClass(op) == CLASS_ALU64 && (operation == ALU_ADD || operation == ALU_SUB)) {
            result = InputLength.afterAddOrSub(operation == ALU_ADD, dst, src, result, s.inputLengthMin());
        }
        MemoryPointer operand = dst instanceof MemoryPointer d ? d : src instanceof MemoryPointer m ? m : null;
        if (result instanceof MemoryPointer moved && moved.kind().isPacket() && operand != null
                        && (moved.varMin() != operand.varMin() || moved.varMax() != operand.varMax())) {
            // A new variable part: the pointers made from this one by constants share it, and a bounds check
            // through any of them proves the others (ids are per instruction: older holders lose this one).
            int id = insn.index() + 1;
            s.updateAll(v -> v instanceof MemoryPointer m && m.id() == id ? m.withId(MemoryPointer.NO_ID) : v);
            result = moved.withId(id);
        }
        s.set(insn.dst(), result);
    }

    /** The runtime's map objects live in native memory next to the program's data: only their identity is usable. */
    private BpfError mapMisuse(Instruction insn, int register) {
        return reject.at(functionName, insn, "r" + register + " holds a map reference, which only mov, calls and comparisons may use");
    }

    private void load(Instruction insn, AbstractState s) {
        int op = insn.opcode();
        if (op == LDDW) {
            Value value = switch (insn.src()) {
                case PSEUDO_NONE -> Value.constant(insn.imm64());
                case PSEUDO_MAP_FD, PSEUDO_MAP_IDX -> MapPointer.loaded(insn.imm(), program.maps().get(insn.imm()).type().isMapOfMaps());
                case PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE -> MemoryPointer.region(PointerKind.MAP_VALUE, false, MemoryPointer.NO_ID, insn.imm2(),
                                program.maps().get(insn.imm()).valueSize());
                // Function addresses (and BTF ids) are for helpers to use, not to dereference.
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
        if (checking && !options.privileged()) {
            leak(insn, PointerLeakRules.store(s.get(insn.dst()), stored, insn.src(), mode(op) != MODE_MEM));
        }
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
     * A load or store through {@code baseRegister + offset}. The base must be a pointer: stack accesses must lie
     * in the frame, map value, record and packet accesses in their region ({@link #checkMemoryAccess}); the
     * rest (context fields, raw input, pointers of unknown kind) is bounded by the engines at run time. While
     * checking, notes whether the access is proven. Returns the loaded value.
     */
    private Value access(Instruction insn, AbstractState s, int baseRegister, int bytes, boolean reads, boolean writes, Value stored,
                    Value unknownLoad) {
        Value base = s.get(baseRegister);
        if (checking && base instanceof MapPointer m && m.maybeNull()) {
            throw reject.at(functionName, insn, "R" + baseRegister + " invalid mem access 'map_value_or_null'");
        }
        if (checking && base instanceof MapPointer) {
            throw mapMisuse(insn, baseRegister);
        }
        if (checking && base instanceof Scalar) {
            // A number, or a pointer an operation made unrecognisable (or r1, 0): it could point anywhere.
            throw reject.at(functionName, insn, "R" + baseRegister + " invalid mem access 'scalar'");
        }
        if (checking && base instanceof MemoryPointer moved && moved.kind() == PointerKind.MOVED_CONTEXT && program.type() != ProgramType.RAW) {
            // A context struct is read only at its fields' own offsets: the kernel refuses any access through a
            // moved context pointer (it could neither be rewritten nor checked against the field list).
            throw reject.at(functionName, insn, "dereference of modified ctx ptr R" + baseRegister + " disallowed");
        }
        if (checking && base instanceof MemoryPointer m && m.kind() == PointerKind.ANY) {
            // Joined states may have merged a stack pointer into this kind; such accesses are never proven.
            stackPointerChecked = true;
        }
        if (base instanceof MemoryPointer m) {
            if (writes && m.kind() == PointerKind.ANY && joinedStates) {
                // Joined states may merge an own-frame stack pointer with another kind into this: what it writes
                // may land in a spilled slot, which then no longer holds what was spilled there.
                s.clobberSpills(-MAX_STACK, 0);
            }
            if (checking) {
                if (m.kind() == PointerKind.CONTEXT) {
                    checkContextAccess(insn, bytes, reads, writes);
                }
                checkMemoryAccess(insn, s, baseRegister, m, bytes, writes);
            }
            PointerKind field = reads ? ContextFields.loadedPointer(program.type(), insn.opcode(), insn.offset()) : null;
            if (field != null && checking) {
                contextFieldLoads.note(functionName, insn, baseRegister, m.kind(), argumentKindsKnown);
            }
            if (field != null && m.kind() == PointerKind.CONTEXT) {
                return new MemoryPointer(field);
            }
            if (field != null && m.kind() == PointerKind.ANY && !argumentKindsKnown) {
                // Where argument kinds are assumed (dead code, callbacks), a pointer of unknown kind may be the
                // context: what it loads may be a packet pointer, so it is one of unknown kind too, whose
                // accesses nothing proves (the engines check them at run time).
                return new MemoryPointer(PointerKind.ANY, true);
            }
            return unknownLoad;
        }
        if (!(base instanceof StackPointer p)) {
            return unknownLoad;
        }
        if (checking) {
            // Through a caller's frame the bounds are checked at each call site, not here: not proven here.
            noteAccess(insn, p.ownFrame() && p.bounded());
            if (!(p.ownFrame() && p.bounded())) {
                stackPointerChecked = true;
            }
        }
        if (!p.ownFrame()) {
            // Through a pointer into the caller's frame: the caller checks the bounds at the call.
            if (p.bounded()) {
                frame.access(p, p.minOffset() + insn.offset(), p.maxOffset() + insn.offset() + bytes);
            } else {
                frame.escape(p);
            }
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
        if (checking && fixed && Math.floorMod(from, bytes) != 0) {
            // The kernel always requires this of the stack (its slot tracking relies on it), in every mode.
            throw reject.at(functionName, insn, "misaligned stack access: " + bytes + " bytes at " + frameOffset(from) + ", not a multiple of " + bytes);
        }
        if (checking && !fixed && !p.bits().add(Tnum.constant(insn.offset())).alignedTo(bytes)) {
            // As the kernel: the offset's known low bits must make it a multiple of the size on every path.
            throw reject.at(functionName, insn, "misaligned stack access: " + bytes + " bytes at a variable offset var_off=" + p.bits() + (insn.offset() < 0 ? "" : "+")
                            + insn.offset() + ", not known to be a multiple of " + bytes);
        }
        if (reads && checking) {
            long unwritten = s.firstUnwritten(from, to);
            if (unwritten <= 0 && !options.privileged()) {
                throw reject.at(functionName, insn, "reads stack byte " + frameOffset(unwritten) + ", which is not written on every path");
            }
            if (unwritten <= 0) {
                // Allowed as the kernel allows a privileged loader; the engines must clear the frame on entry.
                unwrittenStackReads.add(insn.index());
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
                if (stored instanceof Scalar n && n.isConstant() && n.min() == 0) {
                    s.markZero(from, to);
                }
            }
        }
        return loaded;
    }

    /** A checked access through a map value, record, packet or context pointer: refused, or noted proven or not. */
    private void checkMemoryAccess(Instruction insn, AbstractState s, int register, MemoryPointer p, int bytes, boolean writes) {
        if (p.maybeNull() && p.kind().nullChecked()) {
            throw reject.at(functionName, insn, "R" + register + " invalid mem access '" + p.kind().kernelName + "_or_null'");
        }
        if (options.strictAlignment() && (p.kind().tracksOffset && p.kind() != PointerKind.INPUT || p.kind() == PointerKind.CONTEXT) && bytes > 1) {
            checkStrictAlignment(insn, register, p, bytes);
        }
        if (p.kind() == PointerKind.PACKET_END) {
            throw reject.at(functionName, insn, "R" + register + " invalid mem access 'pkt_end'");
        }
        boolean proven = switch (p.kind()) {
            // A read-only map's values are not told apart from others; records are released by submit and
            // discard, which the verifier does not track: their accesses stay checked at run time.
            case MAP_VALUE -> regionAccess(insn, register, p, bytes, "map value, value_size=") && !(writes && hasReadOnlyMap);
            case RINGBUF_RECORD -> {
                regionAccess(insn, register, p, bytes, "memory, mem_size=");
                yield false;
            }
            // Socket filters may not write their packet; the metadata area is not an engine region of its own.
            case PACKET -> packetAccess(insn, register, p, bytes) && !(writes && program.type() == ProgramType.SOCKET_FILTER);
            case PACKET_META -> {
                packetAccess(insn, register, p, bytes);
                yield false;
            }
            case CONTEXT -> !writes && insn.offset() >= 0 && insn.offset() + bytes <= contextSize(program.type())
                            || lengthProven(insn, !writes && inputLengthKnown && InputLength.provesStartRead(insn.offset(), bytes, s.inputLengthMin()));
            // Reads only: the input may be a caller's read-only buffer, which only the run-time check refuses to write.
            case INPUT -> lengthProven(insn, !writes && InputLength.provesRead(p, insn.offset(), bytes, s.inputLengthMin()));
            default -> false;
        };
        noteAccess(insn, proven);
    }

    /**
     * Strict mode: the access's offset from its region's start (which the engines align to 8) must be a
     * multiple of its size; a variable part whose alignment is not known is refused.
     */
    private void checkStrictAlignment(Instruction insn, int register, MemoryPointer p, int bytes) {
        String where = p.kind().kernelName + " access through R" + register + ", " + bytes + " bytes";
        if (p.varMin() != p.varMax()) {
            // As the kernel's tnum_is_aligned(tnum_add(var_off, off)): every value the offset may take is aligned.
            if (!Tnum.constant(p.offset() + insn.offset()).add(p.varBits()).alignedTo(bytes)) {
                throw reject.at(functionName, insn, "misaligned " + where + ": a variable offset is not known to be a multiple of " + bytes + " (strict alignment)");
            }
            return;
        }
        long offset = p.offset() + p.varMin() + insn.offset();
        if (Math.floorMod(offset, bytes) != 0) {
            throw reject.at(functionName, insn, "misaligned " + where + " at offset " + offset + ", not a multiple of " + bytes + " (strict alignment)");
        }
    }

    private boolean lengthProven(Instruction insn, boolean proven) {
        if (proven) {
            lengthProvenAccesses.add(insn.index());
        }
        return proven;
    }

    private void noteAccess(Instruction insn, boolean proven) {
        accesses.add(insn.index());
        if (!proven) {
            unprovenAccesses.add(insn.index());
        }
    }

    /** The bytes of the context struct a program reads; 0 for raw programs, whose input size is not known. */
    private static int contextSize(ProgramType type) {
        return switch (type) {
            case SOCKET_FILTER, SCHED_CLS -> ProgramContexts.SKB_SIZE;
            case XDP -> ProgramContexts.XDP_SIZE;
            case RAW -> 0;
        };
    }

    /** The kernel's limit on a variable offset into a map value ({@code BPF_MAX_VAR_OFF}). */
    private static final long MAX_VARIABLE_OFFSET = 1L << 29;

    /**
     * An access through a map value or record must lie in {@code [0, size)} for every offset the pointer may
     * have; refused as the kernel does ({@code check_mem_region_access}). Returns false (not proven, left to
     * the engines) when the region's size is unknown.
     */
    private boolean regionAccess(Instruction insn, int register, MemoryPointer p, int bytes, String region) {
        if (p.size() < 0) {
            return false;
        }
        String r = "R" + register;
        long constant = p.offset() + insn.offset();
        if (p.varMin() < 0 && (p.varMin() == Long.MIN_VALUE || constant + p.varMin() < 0)) {
            throw reject.at(functionName, insn, r + " min value is negative, either use unsigned index or do a if (index >=0) check.");
        }
        long low = constant + p.varMin();
        if (low < 0 || low + bytes > p.size()) {
            throw reject.at(functionName, insn, "invalid access to " + region + p.size() + " off=" + low + " size=" + bytes + ": " + r
                            + " min value is outside of the allowed memory range");
        }
        if (p.varMax() >= MAX_VARIABLE_OFFSET) {
            throw reject.at(functionName, insn, r + " unbounded memory access, make sure to bounds check any such access");
        }
        long high = constant + p.varMax();
        if (high < 0 || high + bytes > p.size()) {
            throw reject.at(functionName, insn, "invalid access to " + region + p.size() + " off=" + high + " size=" + bytes + ": " + r
                            + " max value is outside of the allowed memory range");
        }
        return true;
    }

    /**
     * An access through a packet pointer must lie in the range its comparisons with the end proved, counted
     * from the packet's start plus the pointer's variable part ({@code check_packet_access}).
     */
    private boolean packetAccess(Instruction insn, int register, MemoryPointer p, int bytes) {
        String r = "R" + register;
        if (p.varMin() < 0) {
            throw reject.at(functionName, insn, r + " min value is negative, either use unsigned index or do a if (index >=0) check.");
        }
        long off = p.offset() + insn.offset();
        if (off < 0 || off + bytes > p.range()) {
            throw reject.at(functionName, insn, "invalid access to packet, off=" + off + " size=" + bytes + ", " + r + "(id=" + Math.max(p.id(), 0) + ",off="
                            + p.offset() + ",r=" + p.range() + "): " + r + " offset is outside of the packet");
        }
        return true;
    }

    private void jump(Instruction insn, AbstractState s) {
        if (insn.isExit()) {
            if (exitReadsR0) {
                read(insn, s, 0);
                if (checking && !options.privileged()) {
                    leak(insn, PointerLeakRules.exit(s.get(0)));
                }
            }
        } else if (insn.isHelperCall()) {
            callHelper(insn, s, insn.imm());
        } else if (insn.isCallx()) {
            callHelper(insn, s, helperIdOf(insn, s));
        } else if (insn.isLocalCall()) {
            callFunction(insn, s);
        } else if (insn.isConditionalBranch()) {
            read(insn, s, insn.dst());
            boolean registerSource = source(insn.opcode()) == SRC_X;
            if (registerSource) {
                read(insn, s, insn.src());
            }
            if (checking && !options.privileged()) {
                leak(insn, PointerLeakRules.comparison(insn, s.get(insn.dst()), registerSource ? s.get(insn.src()) : null, registerSource));
            }
        }
    }

    /** Refuses an instruction by an unprivileged loader's rule ({@link PointerLeakRules}), if one applies. */
    private void leak(Instruction insn, String reason) {
        if (reason != null) {
            throw reject.at(functionName, insn, reason);
        }
    }

    /** A load or store through the context pointer itself: the program type decides which fields, widths and directions. */
    private void checkContextAccess(Instruction insn, int bytes, boolean reads, boolean writes) {
        ProgramTypeRules.Access access = reads && writes ? ProgramTypeRules.Access.ATOMIC
                        : writes ? ProgramTypeRules.Access.STORE
                                        : mode(insn.opcode()) == MODE_MEMSX ? ProgramTypeRules.Access.LOAD_SIGN_EXTENDED : ProgramTypeRules.Access.LOAD;
        String problem = ProgramTypeRules.contextAccessProblem(program.type(), insn.offset(), bytes, access);
        if (problem != null) {
            throw reject.at(functionName, insn, problem);
        }
    }

    /** The helper a {@code callx} reaches: its register must hold the same known helper id on every path. */
    private int helperIdOf(Instruction insn, AbstractState s) {
        read(insn, s, insn.dst());
        Value target = s.get(insn.dst());
        if (target instanceof Scalar id && id.isConstant() && options.helperIds().contains((int) id.min()) && id.min() == (int) id.min()) {
            if (checking && id.min() == Helper.TAIL_CALL.id()) {
                throw reject.at(functionName, insn, "bpf_tail_call must be called as 'call 12', not through a register");
            }
            if (checking) {
                // The same per-type rule as for a direct call: callx is no way around it.
                String problem = ProgramTypeRules.helperProblem(program.type(), id.min());
                if (problem != null) {
                    throw reject.at(functionName, insn, problem + " (called through r" + insn.dst() + ")");
                }
                Integer earlier = callxTargets.putIfAbsent(insn.index(), (int) id.min());
                if (earlier != null && earlier != id.min()) {
                    throw sameHelperOnEveryPath(insn);
                }
            }
            return (int) id.min();
        }
        if (checking) {
            if (target instanceof Scalar id && id.isConstant()) {
                throw reject.at(functionName, insn, LinuxHelpers.unsupportedCall(id.min()) + " (from r" + insn.dst() + ")");
            }
            throw sameHelperOnEveryPath(insn);
        }
        return -1;
    }

    private BpfError sameHelperOnEveryPath(Instruction insn) {
        return reject.at(functionName, insn, "r" + insn.dst() + " does not hold the same helper id on every path");
    }

    private void callHelper(Instruction insn, AbstractState s, int id) {
        HelperSignature helper = HelperSignature.of(id);
        for (int r = 1; r <= helper.argumentCount(); r++) {
            read(insn, s, r);
        }
        if (checking && helper.mapArgument() != 0) {
            checkMapArguments(insn, s, helper);
        }
        if (checking) {
            checkMemoryArguments(insn, s, helper);
            checkBufferSizes(insn, s, helper);
            if (!options.privileged()) {
                for (int r = 1; r <= helper.argumentCount(); r++) {
                    if (helper.readsNumber(r)) {
                        leak(insn, PointerLeakRules.helperNumber(r, s.get(r)));
                    }
                }
            }
        }
        for (int r = 1; r <= helper.pointerArgumentCount(); r++) {
            if (s.get(r) instanceof StackPointer p) {
                if (!p.ownFrame()) {
                    frame.passedToHelper(p);
                    continue;
                }
                passStackPointer(insn, s, r, p, helper.name());
                if (helper.writesMemory()) {
                    helperWrites(s, r, p);
                }
            }
        }
        if (checking) {
            helpers.add(id);
            if (id == Helper.TAIL_CALL.id()) {
                tailCallSites.merge(insn.index(), tailCallSite(insn, s), AbstractInterpreter::onEveryPath);
            }
        }
        Value result = helperResult(insn, s, helper);
        clobberCallerSaved(s);
        if (HelperSignature.movesPacket(id)) {
            forgetPacketPointers(s);
        }
        if (result instanceof MemoryPointer p && p.id() != MemoryPointer.NO_ID) {
            // This call's earlier result, still held somewhere, is no longer the one its NULL check would test.
            s.updateAll(v -> v instanceof MemoryPointer m && m.id() == p.id() ? m.withId(MemoryPointer.NO_ID) : v);
        }
        if (result instanceof MapPointer p && p.id() != MemoryPointer.NO_ID) {
            s.updateAll(v -> v instanceof MapPointer m && m.id() == p.id() ? m.withId(MemoryPointer.NO_ID) : v);
        }
        s.set(0, id == Helper.TAIL_CALL.id() ? new Uninit(UninitCause.AFTER_TAIL_CALL) : result);
    }

    /**
     * What a helper returns: a maybe-NULL map value of the map's value size, a maybe-NULL record of the
     * reserved size (known when r2 is constant), identified by this call so that a NULL check reaches its
     * copies; otherwise the signature's result.
     */
    private Value helperResult(Instruction insn, AbstractState s, HelperSignature helper) {
        Value result = helper.result();
        if (!(result instanceof MemoryPointer p) || !p.maybeNull()) {
            return result;
        }
        long size = -1;
        if (p.kind() == PointerKind.MAP_VALUE && s.get(1) instanceof MapPointer m && m.ofMaps()) {
            // The kernel's map_value_or_null whose map has an inner template: after its NULL check, an inner map
            // (of that template; of one the engines check at run time when several maps of maps meet here).
            return new MapPointer(m.mapIndex(), m.mapIndex() >= 0, true, insn.index() + 1, false);
        }
        if (p.kind() == PointerKind.MAP_VALUE && s.get(1) instanceof MapPointer m && definitionOf(m) != null) {
            MapDefinition map = definitionOf(m);
            size = map.valueSize();
            // An inner array of a BPF_F_INNER_MAP template may be smaller than the template: no index is sure to exist.
            boolean sizeKnown = !m.inner() || (map.flags() & MapDefinition.BPF_F_INNER_MAP) == 0;
            if (helper.id() == Helper.MAP_LOOKUP_ELEM.id() && sizeKnown && constantKeyInRange(s, map)) {
                // Every index of an array exists: a key known to be below max_entries always finds its value.
                return MemoryPointer.region(p.kind(), false, MemoryPointer.NO_ID, 0, size);
            }
        } else if (p.kind() == PointerKind.RINGBUF_RECORD && s.get(2) instanceof Scalar n && n.isConstant() && n.min() >= 0) {
            size = n.min();
        }
        return MemoryPointer.region(p.kind(), true, insn.index() + 1, 0, size);
    }

    /** The definition of the map a reference names (an inner map: its template), or null when the path decides. */
    private MapDefinition definitionOf(MapPointer m) {
        if (m.mapIndex() < 0) {
            return null;
        }
        MapDefinition map = program.maps().get(m.mapIndex());
        return m.inner() ? map.inner() : map;
    }

    /**
     * Whether r2 points at an array key that is the constant 0, written as zero bytes on every path (the kernel's
     * STACK_ZERO), and the array has an entry 0 ({@code get_constant_map_key} for arrays).
     */
    private static boolean constantKeyInRange(AbstractState s, MapDefinition map) {
        if (map.type() != MapType.ARRAY && map.type() != MapType.PERCPU_ARRAY || map.maxEntries() <= 0) {
            return false;
        }
        return s.get(2) instanceof StackPointer key && key.ownFrame() && key.bounded() && key.minOffset() == key.maxOffset()
                        && s.allZero(key.minOffset(), key.minOffset() + map.keySize());
    }

    /** After the packet may have moved, pointers into it are numbers (as the kernel's clear_all_pkt_pointers). */
    private static void forgetPacketPointers(AbstractState s) {
        s.updateAll(v -> v instanceof MemoryPointer m && (m.kind().isPacket() || m.kind() == PointerKind.PACKET_END) ? Value.UNKNOWN : v);
    }

    /** A key, value or buffer argument must be a pointer: the helper would read or write wherever a number points. */
    private void checkMemoryArguments(Instruction insn, AbstractState s, HelperSignature helper) {
        int mask = helper.memoryArguments();
        int nullable = helper.nullableMemoryArguments();
        for (int r = 1; r <= 5; r++) {
            if ((nullable & (1 << r)) != 0 && s.get(r) instanceof Scalar n && !(n.isConstant() && n.min() == 0)) {
                throw reject.at(functionName, insn, "R" + r + " type=scalar expected=pointer or NULL: " + helper.name() + " reads memory through r" + r);
            }
            if ((mask & (1 << r)) != 0 && s.get(r) instanceof Scalar) {
                throw reject.at(functionName, insn, "R" + r + " type=scalar expected=pointer: " + helper.name() + " reads or writes memory through r" + r);
            }
            if ((mask & (1 << r)) != 0 && program.type() != ProgramType.RAW && s.get(r) instanceof MemoryPointer c
                            && (c.kind() == PointerKind.CONTEXT || c.kind() == PointerKind.MOVED_CONTEXT)) {
                // The context struct's bytes are not its fields (loads of them are rewritten): a helper reading
                // them as a key or buffer would see the engine's own pointers. The kernel refuses this too.
                throw reject.at(functionName, insn, "R" + r + " type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem: " + helper.name()
                                + " reads or writes memory through r" + r);
            }
            if ((mask & (1 << r)) != 0 && s.get(r) instanceof MemoryPointer p && p.maybeNull() && p.kind().nullChecked()) {
                throw reject.at(functionName, insn, "R" + r + " type=" + p.kind().kernelName + "_or_null expected=a pointer that is not NULL: " + helper.name()
                                + " reads or writes memory through r" + r);
            }
        }
    }

    /** The kernel's bound on a size argument ({@code BPF_MAX_VAR_SIZ}). */
    private static final long MAX_VARIABLE_SIZE = 1L << 29;

    /**
     * A buffer and the size after it, as the kernel's {@code check_mem_size_reg}: the size is a bounded number
     * (not 0 unless the helper allows it), and every byte up to its largest value lies in the buffer's stack
     * frame, packet range, map value or record. NULL is a buffer only where allowed, and then with size 0.
     */
    private void checkBufferSizes(Instruction insn, AbstractState s, HelperSignature helper) {
        for (int r = 1; r < 5; r++) {
            if (!helper.sizedBuffer(r)) {
                continue;
            }
            String sizeRegister = "R" + (r + 1);
            if (!(s.get(r + 1) instanceof Scalar size)) {
                throw reject.at(functionName, insn, sizeRegister + " type=pointer expected=scalar: " + helper.name() + " takes the size of r" + r + " in r" + (r + 1));
            }
            if (size.min() < 0) {
                throw reject.at(functionName, insn, sizeRegister + " min value is negative, either use unsigned or 'var &= const'");
            }
            if (size.max() >= MAX_VARIABLE_SIZE) {
                throw reject.at(functionName, insn, sizeRegister + " unbounded memory access, use 'var &= const' or 'if (var < const)'");
            }
            if (size.min() == 0 && !helper.zeroSizeAllowed(r + 1)) {
                throw reject.at(functionName, insn, sizeRegister + " invalid zero-sized read: u64=[0," + size.max() + "]");
            }
            int bytes = (int) size.max();
            Value buffer = s.get(r);
            if (buffer instanceof Scalar && (helper.nullableMemoryArguments() & (1 << r)) != 0 && bytes != 0) {
                throw reject.at(functionName, insn, "R" + r + " type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem: " + helper.name()
                                + " reads " + sizeRegister + " bytes through NULL");
            }
            if (bytes == 0) {
                continue;
            }
            if (buffer instanceof StackPointer p && p.ownFrame() && p.bounded() && (p.minOffset() < -MAX_STACK || p.maxOffset() + bytes > 0)) {
                throw reject.at(functionName, insn, "invalid indirect access to stack R" + r + " off=" + p.maxOffset() + " size=" + bytes + ": " + helper.name()
                                + " reaches outside the stack frame");
            }
            if (buffer instanceof MemoryPointer p) {
                switch (p.kind()) {
                    case PACKET, PACKET_META -> packetAccess(insn, r, p, bytes);
                    case MAP_VALUE -> regionAccess(insn, r, p, bytes, "map value, value_size=");
                    case RINGBUF_RECORD -> regionAccess(insn, r, p, bytes, "memory, mem_size=");
                    default -> {
                    }
                }
            }
        }
    }

    /** The map argument is a map reference; a key or value on the stack fits in the frame at the map's sizes. */
    private void checkMapArguments(Instruction insn, AbstractState s, HelperSignature helper) {
        int mapRegister = helper.mapArgument();
        if (!(s.get(mapRegister) instanceof MapPointer m)) {
            throw reject.at(functionName, insn, helper.name() + " needs a map reference (lddw map:NAME) in r" + mapRegister);
        }
        if (m.maybeNull()) {
            throw reject.at(functionName, insn, "R" + mapRegister + " type=map_value_or_null expected=map_ptr: " + helper.name()
                            + " needs the inner map checked against NULL first");
        }
        MapDefinition map = definitionOf(m);
        if (map == null) {
            String problem = m.ofMaps() && helper.helper() != null ? MapHelperRules.problem(helper.helper(), MapType.ARRAY_OF_MAPS) : null;
            if (problem != null) {
                throw reject.at(functionName, insn, problem + " (a map of maps)");
            }
            return;
        }
        String incompatible = helper.helper() == null ? null : MapHelperRules.problem(helper.helper(), map.type());
        if (incompatible != null) {
            throw reject.at(functionName, insn, incompatible + " (map '" + map.name() + "')");
        }
        checkFits(insn, s, helper.keyArgument(), map.keySize(), "key", map);
        checkFits(insn, s, helper.valueArgument(), map.valueSize(), "value", map);
    }

    private void checkFits(Instruction insn, AbstractState s, int register, int size, String what, MapDefinition map) {
        if (register != 0 && s.get(register) instanceof StackPointer p && p.ownFrame() && p.bounded() && p.maxOffset() + size > 0) {
            throw reject.at(functionName, insn, "the " + size + "-byte " + what + " of map '" + map.name() + "' at r" + register + " (r10" + p.maxOffset()
                            + ") does not fit in the stack frame");
        }
        // A key or value in the packet or in a map value lies where the verifier proved the helper may read
        // (the kernel's check_helper_mem_access); the call instruction's offset field is 0.
        if (register != 0 && s.get(register) instanceof MemoryPointer p) {
            switch (p.kind()) {
                case PACKET, PACKET_META -> packetAccess(insn, register, p, size);
                case MAP_VALUE -> regionAccess(insn, register, p, size, "map value, value_size=");
                default -> {
                }
            }
        }
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
        if (s.get(2) instanceof MapPointer m && (m.mapIndex() >= 0 || m.maybeNull())) {
            MapDefinition map = definitionOf(m);
            if (map == null || m.maybeNull()) {
                throw reject.at(functionName, insn, "R2 type=map_value_or_null expected=map_ptr: bpf_tail_call needs a prog array in r2");
            }
            if (map.type() != MapType.PROG_ARRAY || m.inner()) {
                throw reject.at(functionName, insn, "bpf_tail_call needs a prog array in r2, but map '" + map.name() + "' is a "
                                + map.type().name().toLowerCase(Locale.ROOT));
            }
            mapIndex = m.mapIndex();
        }
        long key = s.get(3) instanceof Scalar k && k.isConstant() ? k.min() & 0xffff_ffffL : -1;
        boolean direct = mapIndex >= 0 && key >= 0 && key < program.maps().get(mapIndex).maxEntries();
        return new TailCallSite(insn.index(), mapIndex, key, direct);
    }

    /** What two paths to the same tail-call site agree on. */
    private static TailCallSite onEveryPath(TailCallSite a, TailCallSite b) {
        int mapIndex = a.mapIndex() == b.mapIndex() ? a.mapIndex() : -1;
        long key = a.constantKey() == b.constantKey() ? a.constantKey() : -1;
        return new TailCallSite(a.index(), mapIndex, key, a.direct() && b.direct() && mapIndex >= 0 && key >= 0);
    }

    /**
     * A bpf-to-bpf call. A pointer into this frame passed in r1-r5 is checked against what the callee does
     * with it (known, since callees are analysed first): every offset it reaches must lie in the frame, and
     * the bytes it may touch count as written afterwards (the callee may fill them; reads are not checked).
     * Where the callee lost track of the pointer, it is trusted to stay between the pointer and r10. A
     * pointer this function itself received is passed on: the callee's use adds to this function's.
     */
    private void callFunction(Instruction insn, AbstractState s) {
        int target = insn.localCallTarget();
        if (!checking && argumentsPassed != null) {
            argumentsPassed.accept(target, new Value[] {null, s.get(1), s.get(2), s.get(3), s.get(4), s.get(5)});
        }
        for (int r = 1; r <= 5; r++) {
            if (!(s.get(r) instanceof StackPointer p)) {
                continue;
            }
            FrameUse callee = calleeFrames == null ? null : calleeFrames.apply(target);
            FrameUse.ArgumentUse use = callee == null ? null : callee.argumentOrNull(r);
            if (!p.ownFrame()) {
                if (use != null) {
                    if (p.bounded()) {
                        frame.argument(p.base()).include(use, p.minOffset(), p.maxOffset());
                    } else {
                        frame.argument(p.base()).untracked = true;
                    }
                }
                continue;
            }
            passStackPointer(insn, s, r, p, "a BPF function");
            if (callee != null && use == null) {
                continue; // the callee never uses this argument as a pointer
            }
            if (!p.bounded()) {
                s.clobberSpills(-MAX_STACK, 0);
                continue;
            }
            long from = p.minOffset();
            long to = 0;
            if (use != null && !use.upToTop && !use.untracked) {
                if (!use.accessed()) {
                    continue;
                }
                from = p.minOffset() + use.lowest;
                to = p.maxOffset() + use.end;
            } else if (use != null && use.accessed()) {
                from = Math.min(from, p.minOffset() + use.lowest);
                to = Math.max(to, p.maxOffset() + use.end);
            }
            if (checking && (from < -MAX_STACK || to > 0)) {
                throw reject.at(functionName, insn, "passes r" + r + " (" + frameOffset(p.minOffset()) + ") to '" + calleeNames.apply(target)
                                + "', which reaches " + frameOffset(from) + " to " + frameOffset(to) + " through it: outside the stack frame");
            }
            frame.cover(from);
            long low = Math.max(from, -MAX_STACK);
            long high = Math.min(to, 0);
            s.clobberSpills(low, high);
            s.markWritten(low, high);
        }
        clobberCallerSaved(s);
        if (calleeMovesPacket.test(target)) {
            forgetPacketPointers(s);
        }
        // Clang leaves r0 unset in a function whose (constant) result its callers do not use; the kernel
        // accepts that as long as the caller does not read r0.
        s.set(0, returnsValue.test(target) ? returnedValue.apply(target) : new Uninit(UninitCause.NOT_RETURNED));
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
            if (registerSource && insn.src() != insn.dst() && dst instanceof Scalar d && !d.isConstant() && src instanceof Scalar r && !r.isConstant()) {
                Value[] pair = BranchRefinement.refinePair(insn, d, r, taken);
                dstValue = pair == null ? null : pair[0];
                srcValue = pair == null ? null : pair[1];
            }
            if (dstValue == null || (registerSource && srcValue == null)) {
                continue;
            }
            AbstractState state = taken ? s.copy() : s;
            state.set(insn.dst(), dstValue);
            if (registerSource && insn.src() != insn.dst()) {
                state.set(insn.src(), srcValue);
            }
            if (inputLengthKnown) {
                InputLength.onEdge(insn.opcode(), insn.dst(), insn.src(), registerSource, dst, src, taken, state);
            }
            edges[edge] = state;
        }
        if (instructionClass(insn.opcode()) == CLASS_JMP) {
            ruleOutNullOfNonNullPointer(insn, dst, edges);
            refineNullCheck(insn, dst, edges);
            refinePacketRange(insn, dst, src, edges);
        }
        return edges;
    }

    /**
     * {@code jeq/jne r, 0} on a map value or record known not to be NULL (checked before, or from an array lookup
     * with a constant key in range): the equal edge cannot be taken, and is not followed (the kernel's
     * {@code is_branch_taken} for pointers it knows are not NULL).
     */
    private static void ruleOutNullOfNonNullPointer(Instruction insn, Value dst, AbstractState[] edges) {
        int operation = insn.operation();
        if (!(dst instanceof MemoryPointer p) || p.maybeNull() || (p.kind() != PointerKind.MAP_VALUE && p.kind() != PointerKind.RINGBUF_RECORD)) {
            return;
        }
        if (operation != JMP_JEQ && operation != JMP_JNE || source(insn.opcode()) != SRC_K || insn.imm() != 0) {
            return;
        }
        edges[operation == JMP_JEQ ? 0 : 1] = null;
    }

    /**
     * {@code jeq/jne r, 0} (64-bit, immediate 0) on a maybe-NULL pointer: NULL (the number 0) on the equal edge, a pointer on the
     * other, for the register and every copy of it (same id).
     */
    private static void refineNullCheck(Instruction insn, Value dst, AbstractState[] edges) {
        int operation = insn.operation();
        if (dst instanceof MapPointer p && p.maybeNull() && (operation == JMP_JEQ || operation == JMP_JNE) && source(insn.opcode()) == SRC_K && insn.imm() == 0) {
            refineInnerMapNullCheck(insn, p, edges);
            return;
        }
        if (!(dst instanceof MemoryPointer p) || !p.maybeNull() || operation != JMP_JEQ && operation != JMP_JNE) {
            return;
        }
        // Only against the immediate 0, as the kernel: a register holding 0 leaves the pointer maybe NULL.
        if (source(insn.opcode()) != SRC_K || insn.imm() != 0) {
            return;
        }
        int equalEdge = operation == JMP_JEQ ? 0 : 1;
        for (int edge = 0; edge < 2; edge++) {
            AbstractState state = edges[edge];
            if (state == null) {
                continue;
            }
            boolean isNull = edge == equalEdge;
            Value outcome = isNull ? Value.constant(0) : p.notNull();
            if (p.id() != MemoryPointer.NO_ID) {
                state.updateAll(v -> v instanceof MemoryPointer m && m.maybeNull() && m.id() == p.id() ? (isNull ? Value.constant(0) : m.notNull()) : v);
            }
            state.set(insn.dst(), outcome);
        }
    }

    /** As {@link #refineNullCheck} for a map-of-maps lookup result: NULL on the equal edge, an inner map on the other. */
    private static void refineInnerMapNullCheck(Instruction insn, MapPointer p, AbstractState[] edges) {
        int equalEdge = insn.operation() == JMP_JEQ ? 0 : 1;
        for (int edge = 0; edge < 2; edge++) {
            AbstractState state = edges[edge];
            if (state == null) {
                continue;
            }
            boolean isNull = edge == equalEdge;
            if (p.id() != MemoryPointer.NO_ID) {
                state.updateAll(v -> v instanceof MapPointer m && m.maybeNull() && m.id() == p.id() ? (isNull ? Value.constant(0) : m.notNull()) : v);
            }
            state.set(insn.dst(), isNull ? Value.constant(0) : p.notNull());
        }
    }

    /** The kernel's limit on packet offsets ({@code MAX_PACKET_OFF}). */
    private static final long MAX_PACKET_OFFSET = 0xffff;

    /**
     * {@code jgt/jge/jlt/jle} between a packet pointer and the packet's end (or a metadata pointer and the
     * packet's start), in either order: on the edge where the pointer is at most the end, every pointer with
     * its id is proven to have {@code offset} bytes from its start plus variable part; where it is strictly
     * below the end, one byte more (as the kernel's {@code find_good_pkt_pointers} does, checked against Linux
     * 6.18; like it, a strict comparison at offset 0 proves nothing).
     */
    private static void refinePacketRange(Instruction insn, Value dst, Value src, AbstractState[] edges) {
        if (!(dst instanceof MemoryPointer a) || !(src instanceof MemoryPointer b)) {
            return;
        }
        int operation = insn.operation();
        if (operation != JMP_JGT && operation != JMP_JGE && operation != JMP_JLT && operation != JMP_JLE) {
            return;
        }
        MemoryPointer pointer;
        int register;
        if (bounds(a, b)) {
            pointer = a;
            register = insn.dst();
        } else if (bounds(b, a)) {
            pointer = b;
            register = insn.src();
            operation = switch (operation) {
                case JMP_JGT -> JMP_JLT;
                case JMP_JGE -> JMP_JLE;
                case JMP_JLT -> JMP_JGT;
                default -> JMP_JGE;
            };
        } else {
            return;
        }
        // Now "pointer OP end": which edge proves pointer <= end (closed) or pointer < end (open).
        int edge;
        boolean open;
        switch (operation) {
            case JMP_JGT -> { edge = 1; open = false; }
            case JMP_JGE -> { edge = 1; open = true; }
            case JMP_JLT -> { edge = 0; open = true; }
            default -> { edge = 0; open = false; }
        }
        AbstractState state = edges[edge];
        if (state == null || pointer.offset() < 0 || pointer.offset() == 0 && open) {
            return;
        }
        if (pointer.varMin() < 0 || pointer.varMax() > MAX_PACKET_OFFSET || pointer.varMax() + pointer.offset() > MAX_PACKET_OFFSET) {
            return; // ptr + (1 << 63) may be below the end only by wrapping around
        }
        long proven = open ? pointer.offset() + 1 : pointer.offset();
        if (pointer.id() != MemoryPointer.NO_ID) {
            state.updateAll(v -> v instanceof MemoryPointer m && m.kind() == pointer.kind() && m.id() == pointer.id() && m.range() < proven ? m.withRange(proven) : v);
        }
        if (state.get(register) instanceof MemoryPointer m && m.range() < proven) {
            state.set(register, m.withRange(proven));
        }
    }

    /** Whether a comparison of {@code pointer} with {@code end} bounds it: packet with its end, metadata with the packet's start. */
    private static boolean bounds(MemoryPointer pointer, MemoryPointer end) {
        if (pointer.kind() == PointerKind.PACKET) {
            return end.kind() == PointerKind.PACKET_END;
        }
        return pointer.kind() == PointerKind.PACKET_META && end.kind() == PointerKind.PACKET && end.id() == 0 && end.offset() == 0;
    }

    /** {@code r10-8}, {@code r10+0}: a place relative to the frame pointer, as messages show it. */
    private static String frameOffset(long offset) {
        return "r10" + (offset >= 0 ? "+" : "") + offset;
    }

    private void read(Instruction insn, AbstractState s, int register) {
        if (checking && s.get(register) instanceof Uninit u) {
            throw reject.at(functionName, insn, "r" + register + " " + u.cause().description);
        }
    }
}
