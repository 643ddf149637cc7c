package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

import org.trufflebpf.runtime.maps.ProgArray;

/**
 * The poke descriptors of all loaded programs, keyed by the prog array they jump through, and the patching
 * that keeps each site in its slot's state. The runtime's {@link ProgArray} keeps the native layout
 * ({@code u32 max_entries}, padding, then 8-byte entry addresses from {@link ProgArray#SLOTS_OFFSET}) and
 * tells {@link #slotChanged} after it wrote a slot. Everything happens under {@link TailCallPatcher#LOCK}, and each
 * decision reads the slot's current memory, so a load, an unload and a slot change racing each other always
 * end with every site matching its slot (kernel fix 4b7de801606e).
 */
final class DirectTailCalls {
    private record Site(NativeProgram program, long arrayAddress, PokeDescriptor poke) {
    }

    private static final List<Site> SITES = new ArrayList<>();
    /** Prog arrays whose slot changes already reach {@link #slotChanged}. */
    private static final Set<ProgArray> FOLLOWED = Collections.newSetFromMap(new WeakHashMap<>());

    private DirectTailCalls() {
    }

    /** The entry address a prog array slot holds (0 when empty). */
    static long slotEntry(long arrayAddress, int key) {
        return MemorySegment.ofAddress(arrayAddress + ProgArray.SLOTS_OFFSET + 8L * key).reinterpret(8).get(JAVA_LONG, 0);
    }

    /** From now on every slot change of {@code array} reaches the direct sites that jump through it. */
    static void follow(ProgArray array) {
        synchronized (FOLLOWED) {
            if (FOLLOWED.add(array)) {
                array.addListener((changed, index, previous, current) -> slotChanged(changed.address(), index));
            }
        }
    }

    /** A newly loaded program's site: brought to its slot's current state at once. */
    static void register(NativeProgram program, long arrayAddress, PokeDescriptor poke) {
        synchronized (TailCallPatcher.LOCK) {
            SITES.add(new Site(program, arrayAddress, poke));
            long entry = slotEntry(arrayAddress, poke.key());
            if (entry != 0) {
                TailCallPatcher.install(program, poke, entry);
            }
        }
    }

    static void unregister(NativeProgram program) {
        synchronized (TailCallPatcher.LOCK) {
            SITES.removeIf(site -> site.program() == program);
        }
    }

    /**
     * Brings every direct site through slot {@code key} of the prog array at {@code arrayAddress} to the
     * slot's state: a target installed or replaced, or (after a grace period) removed.
     */
    static void slotChanged(long arrayAddress, int key) {
        synchronized (TailCallPatcher.LOCK) {
            long entry = slotEntry(arrayAddress, key);
            for (Site site : SITES) {
                if (site.arrayAddress() == arrayAddress && site.poke().key() == key) {
                    if (entry != 0) {
                        TailCallPatcher.install(site.program(), site.poke(), entry);
                    } else {
                        TailCallPatcher.remove(site.program(), site.poke());
                    }
                }
            }
        }
    }
}
