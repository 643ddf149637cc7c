package org.trufflebpf.truffle.nodes;

import org.trufflebpf.runtime.maps.LoadedProgram;
import org.trufflebpf.runtime.maps.ProgArray;

import com.oracle.truffle.api.Assumption;

/**
 * Per slot of one prog array, the assumption that the slot still holds what compiled code read from it: a tail
 * call site whose array and key do not change has its target as a constant, and a slot update invalidates the
 * code that holds it, as the native engine re-patches its direct tail calls.
 */
final class SlotAssumptions implements ProgArray.Listener {
    /**
     * Changes of one slot after which compiled code stops taking its content as a constant: a host that keeps
     * swapping a slot would otherwise throw away the compiled code on every swap (and Truffle, seeing the same
     * deoptimization again and again, would stop compiling the function).
     */
    static final int MAX_CHANGES = 4;

    private final Assumption[] unchanged;
    private final int[] changes;

    private SlotAssumptions(int slots) {
        this.unchanged = new Assumption[slots];
        this.changes = new int[slots];
    }

    /** The array's slot assumptions, made (and listening to it) the first time they are asked for. */
    static SlotAssumptions of(ProgArray array) {
        // The array's lock orders this with slot updates, which call their listeners under it.
        synchronized (array) {
            SlotAssumptions assumptions = array.listener(SlotAssumptions.class);
            if (assumptions == null) {
                assumptions = new SlotAssumptions(array.maxEntries());
                array.addListener(assumptions);
            }
            return assumptions;
        }
    }

    /** Valid while slot {@code index} keeps its program; invalid from the start for a slot changed too often. */
    synchronized Assumption unchanged(int index) {
        Assumption assumption = unchanged[index];
        if (assumption == null) {
            assumption = changes[index] > MAX_CHANGES ? Assumption.NEVER_VALID : Assumption.create("prog array slot " + index + " unchanged");
            unchanged[index] = assumption;
        }
        return assumption;
    }

    @Override
    public void slotChanged(ProgArray array, int index, LoadedProgram previous, LoadedProgram current) {
        Assumption old;
        synchronized (this) {
            old = unchanged[index];
            unchanged[index] = null;
            changes[index]++;
        }
        if (old != null) {
            old.invalidate("prog array slot " + index + " changed");
        }
    }
}
