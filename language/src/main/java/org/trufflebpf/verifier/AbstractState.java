package org.trufflebpf.verifier;

import static org.trufflebpf.model.Opcodes.MAX_STACK;
import static org.trufflebpf.model.Opcodes.REGISTER_COUNT;

import java.util.Arrays;
import java.util.function.UnaryOperator;

import org.trufflebpf.verifier.Value.StackPointer;

/**
 * Everything the dataflow analysis knows at one program point of one function: the registers, which bytes of
 * the frame {@code [r10-512, r10)} are written on every path, and the values spilled to 8-byte aligned stack
 * slots (so a register saved to the stack and loaded back keeps what is known about it).
 */
final class AbstractState {
    private static final int SLOTS = MAX_STACK / 8;

    private final Value[] registers;
    /** Bit {@code 512 + offset} is set when the byte at {@code r10 + offset} is written on every path. */
    private final long[] written;
    /** Slot {@code (512 + offset) / 8}: the value a full 8-byte store left there, or null when unknown. */
    private final Value[] spills;
    /**
     * Bit {@code 512 + offset} is set when the byte at {@code r10 + offset} holds 0 on every path (the kernel's
     * STACK_ZERO): a map key made of such bytes is the constant 0.
     */
    private final long[] zero;
    /** Raw-memory programs: the least value the input's length may have here ({@link InputLength}). */
    private long inputLengthMin;

    private AbstractState(Value[] registers, long[] written, Value[] spills, long[] zero, long inputLengthMin) {
        this.registers = registers;
        this.written = written;
        this.spills = spills;
        this.zero = zero;
        this.inputLengthMin = inputLengthMin;
    }

    /** Registers not listed are unwritten; r10 points at the top of an unwritten frame. */
    static AbstractState atEntry(int... initialised) {
        Value[] registers = new Value[REGISTER_COUNT];
        Arrays.fill(registers, new Value.Uninit(Value.UninitCause.NEVER_WRITTEN));
        for (int register : initialised) {
            registers[register] = Value.UNKNOWN;
        }
        registers[REGISTER_COUNT - 1] = Value.FRAME_POINTER;
        return new AbstractState(registers, new long[MAX_STACK / 64], new Value[SLOTS], new long[MAX_STACK / 64], 0);
    }

    AbstractState copy() {
        return new AbstractState(registers.clone(), written.clone(), spills.clone(), zero.clone(), inputLengthMin);
    }

    long inputLengthMin() {
        return inputLengthMin;
    }

    /** Raises the least input length to what the registers' facts tell ({@link InputLength#lengthFloor}). */
    void raiseInputLengthMin() {
        for (Value v : registers) {
            inputLengthMin = Math.max(inputLengthMin, InputLength.lengthFloor(v));
        }
    }

    Value get(int register) {
        return registers[register];
    }

    void set(int register, Value value) {
        registers[register] = value;
    }

    /**
     * Replaces every register and spilled value by what {@code update} makes of it: how a NULL check or a
     * packet bounds check reaches the copies of the pointer it tested.
     */
    void updateAll(UnaryOperator<Value> update) {
        for (int r = 0; r < REGISTER_COUNT; r++) {
            registers[r] = update.apply(registers[r]);
        }
        for (int i = 0; i < SLOTS; i++) {
            if (spills[i] != null) {
                spills[i] = update.apply(spills[i]);
            }
        }
    }

    /** Marks {@code [r10+from, r10+to)} written; parts outside the frame are ignored. */
    void markWritten(long from, long to) {
        for (long offset = Math.max(from, -MAX_STACK); offset < Math.min(to, 0); offset++) {
            int bit = (int) (offset + MAX_STACK);
            written[bit >>> 6] |= 1L << bit;
        }
    }

    /** Marks {@code [r10+from, r10+to)} as holding 0 (after a store of a known 0 there); in-frame offsets only. */
    void markZero(long from, long to) {
        for (long offset = from; offset < to; offset++) {
            int bit = (int) (offset + MAX_STACK);
            zero[bit >>> 6] |= 1L << bit;
        }
    }

    /** Whether every byte of {@code [r10+from, r10+to)} holds 0 on every path. */
    boolean allZero(long from, long to) {
        if (from < -MAX_STACK || to > 0) {
            return false;
        }
        for (long offset = from; offset < to; offset++) {
            int bit = (int) (offset + MAX_STACK);
            if ((zero[bit >>> 6] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** The first offset in {@code [from, to)} not written on every path, or 1 when all are written. */
    long firstUnwritten(long from, long to) {
        for (long offset = from; offset < to; offset++) {
            int bit = (int) (offset + MAX_STACK);
            if ((written[bit >>> 6] & (1L << bit)) == 0) {
                return offset;
            }
        }
        return 1;
    }

    /** Forgets spilled values overlapping {@code [r10+from, r10+to)}, and that its bytes are 0: every store comes here first. */
    void clobberSpills(long from, long to) {
        long low = Math.max(from, -MAX_STACK);
        long high = Math.min(to, 0);
        for (long offset = low; offset < high; offset++) {
            int bit = (int) (offset + MAX_STACK);
            zero[bit >>> 6] &= ~(1L << bit);
        }
        for (long slot = Math.floorDiv(low + MAX_STACK, 8); slot * 8 - MAX_STACK < high && slot < SLOTS; slot++) {
            spills[(int) slot] = null;
        }
    }

    /** Records a full 8-byte store of {@code value} at an aligned in-frame offset. */
    void spill(long offset, Value value) {
        spills[(int) ((offset + MAX_STACK) / 8)] = value;
    }

    /** The value an 8-byte load at an aligned in-frame offset reads back, or null when unknown. */
    Value spilled(long offset) {
        return spills[(int) ((offset + MAX_STACK) / 8)];
    }

    /**
     * Whether every concrete state this one describes is also described by {@code this}, so that exploring
     * {@code other} would find nothing new. Tracked pointers are only covered by the same kind of pointer (or
     * an unreadable register), so that no access escapes the checks.
     */
    boolean covers(AbstractState other) {
        if (inputLengthMin > other.inputLengthMin) {
            return false;
        }
        for (int r = 0; r < REGISTER_COUNT; r++) {
            if (!InputLength.covers(registers[r], other.registers[r], other.inputLengthMin)) {
                return false;
            }
        }
        for (int i = 0; i < written.length; i++) {
            if ((written[i] & ~other.written[i]) != 0 || (zero[i] & ~other.zero[i]) != 0) {
                return false;
            }
        }
        for (int i = 0; i < SLOTS; i++) {
            if (spills[i] != null && (other.spills[i] == null || !InputLength.covers(spills[i], other.spills[i], other.inputLengthMin))) {
                return false;
            }
        }
        return true;
    }

    /** Merges a state that reaches the same point along another path into this one; returns whether it changed. */
    boolean mergeFrom(AbstractState other, boolean widen) {
        boolean changed = false;
        // The values are joined at the least lengths they were reached with; the least length is then the lower one.
        long lengthMin = Math.min(inputLengthMin, other.inputLengthMin);
        if (widen && other.inputLengthMin < inputLengthMin) {
            lengthMin = 0;
        }
        for (int r = 0; r < REGISTER_COUNT; r++) {
            Value merged = InputLength.join(registers[r], inputLengthMin, other.registers[r], other.inputLengthMin, widen);
            if (!merged.equals(registers[r])) {
                registers[r] = merged;
                changed = true;
            }
        }
        for (int i = 0; i < written.length; i++) {
            long merged = written[i] & other.written[i];
            if (merged != written[i]) {
                written[i] = merged;
                changed = true;
            }
            long mergedZero = zero[i] & other.zero[i];
            if (mergedZero != zero[i]) {
                zero[i] = mergedZero;
                changed = true;
            }
        }
        for (int i = 0; i < SLOTS; i++) {
            if (spills[i] == null) {
                continue;
            }
            Value merged = other.spills[i] == null ? null : InputLength.join(spills[i], inputLengthMin, other.spills[i], other.inputLengthMin, widen);
            if (merged == null || merged instanceof Value.Uninit) {
                spills[i] = null;
                changed = true;
            } else if (!merged.equals(spills[i])) {
                spills[i] = merged;
                changed = true;
            }
        }
        if (lengthMin != inputLengthMin) {
            inputLengthMin = lengthMin;
            changed = true;
        }
        return changed;
    }

    /**
     * Reports to {@code frame} the stack pointers that {@code incoming} (a state flowing into this, final, entry
     * state) holds where this state no longer tracks a pointer: once merged into "unknown", the pointer may
     * still be used, so the frame must cover what it points at.
     */
    void noteEscapes(AbstractState incoming, FrameUse frame) {
        for (int r = 0; r < REGISTER_COUNT; r++) {
            if (incoming.registers[r] instanceof StackPointer p && !(registers[r] instanceof StackPointer) && registers[r].readable()) {
                frame.escape(p);
            }
        }
        for (int i = 0; i < SLOTS; i++) {
            if (incoming.spills[i] instanceof StackPointer p && !(spills[i] instanceof StackPointer)) {
                frame.escape(p);
            }
        }
    }
}
