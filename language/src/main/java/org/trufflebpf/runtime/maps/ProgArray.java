package org.trufflebpf.runtime.maps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.runtime.MemoryRegions;
import org.trufflebpf.runtime.NativeMemory;

/**
 * PROG_ARRAY: the slots tail calls jump through. Only the host fills or empties slots (programs cannot update
 * a prog array). Besides the Java slots, the native header holds each slot's native entry address at
 * {@link #SLOTS_OFFSET} + 8 * index (0 when empty or not native), so native code can read it directly; a
 * {@link Listener} hears every change, e.g. to patch direct tail calls.
 */
public final class ProgArray extends KeylessMap {
    public static final int SLOTS_OFFSET = 8;

    /** Told about every slot change, after it happened and while the array is still locked (its monitor). */
    public interface Listener {
        void slotChanged(ProgArray array, int index, LoadedProgram previous, LoadedProgram current);

        /**
         * After {@link #slotChanged}, once the array's lock is released: where a listener may wait (for runs to
         * leave old code), since a run may need the array's lock meanwhile.
         */
        default void changeSettled(ProgArray array) {
        }
    }

    private final AtomicReferenceArray<LoadedProgram> slots;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /**
     * The type of the programs this array serves, as the kernel's map owner: fixed by the first program loaded
     * that uses the array, or else the first program put in a slot. Tail calls never change the program type.
     */
    private final AtomicReference<ProgramType> ownerType = new AtomicReference<>();

    public ProgArray(MapDefinition definition) {
        super(definition, SLOTS_OFFSET + 8L * definition.maxEntries());
        this.slots = new AtomicReferenceArray<>(definition.maxEntries());
    }

    /** The type of the programs the array serves, or null while no program has used it. */
    public ProgramType ownerType() {
        return ownerType.get();
    }

    /** Makes {@code type} the array's program type unless it has one; returns the type it has now. */
    public ProgramType adoptType(ProgramType type) {
        ownerType.compareAndSet(null, type);
        return ownerType.get();
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** The listener of this class, if one was added. */
    public <T extends Listener> T listener(Class<T> kind) {
        for (Listener listener : listeners) {
            if (kind.isInstance(listener)) {
                return kind.cast(listener);
            }
        }
        return null;
    }

    /** The program in a slot, or null when the index is out of range or the slot is empty. */
    public LoadedProgram get(long index) {
        if (index < 0 || index >= maxEntries()) {
            return null;
        }
        return slots.get((int) index);
    }

    /** Puts a program in a slot (null empties it); returns 0 or a negated errno. */
    public long set(long index, LoadedProgram program) {
        if (index < 0 || index >= maxEntries()) {
            return -Errno.E2BIG;
        }
        // The listeners hear the change inside the same step, as the kernel patches direct tail calls under the
        // lock of the slot update: whoever synchronizes on this array sees every slot with its listeners done.
        synchronized (this) {
            LoadedProgram previous = slots.getAndSet((int) index, program);
            NativeMemory.writeU64(address() + SLOTS_OFFSET + 8 * index, program == null ? 0 : program.nativeEntry());
            for (Listener listener : listeners) {
                listener.slotChanged(this, (int) index, previous, program);
            }
        }
        for (Listener listener : listeners) {
            listener.changeSettled(this);
        }
        return 0;
    }

    /** Empties a slot; -ENOENT when it was already empty, as the kernel answers. */
    public long clear(long index) {
        if (index < 0 || index >= maxEntries()) {
            return -Errno.E2BIG;
        }
        if (slots.get((int) index) == null) {
            return -Errno.ENOENT;
        }
        return set(index, null);
    }

    @Override
    public void addRegions(MemoryRegions regions) {
        // Programs never touch a prog array's memory.
    }

    @Override
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < maxEntries(); i++) {
            if (slots.get(i) != null) {
                keys.add(keyOf(i));
            }
        }
        return keys;
    }
}
