package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.trufflebpf.runtime.GracePeriod;
import org.trufflebpf.runtime.maps.LoadedProgram;
import org.trufflebpf.runtime.maps.ProgArray;

/**
 * The direct tail-call sites that jump through one prog array, and the patching that keeps each in its slot's
 * state. The runtime's {@link ProgArray} keeps the native layout ({@code u32 max_entries}, padding, then 8-byte
 * entry addresses from {@link ProgArray#SLOTS_OFFSET}) and tells this listener after it wrote a slot, holding its
 * own lock. Registering, unregistering and patching happen under that same lock, and each decision reads the
 * slot's current memory, so a load, an unload and a slot change racing each other always end with every site
 * matching its slot (kernel fix 4b7de801606e). The lock and the grace period a removal waits for belong to the
 * array's context: patching in one context never waits for another's runs or locks.
 */
final class DirectTailCalls implements ProgArray.Listener {
    /** A site and the number of times its target was removed (B → D), so a late D → C can tell it is stale. */
    private static final class Site {
        final NativeProgram program;
        final PokeDescriptor poke;
        long removals;

        Site(NativeProgram program, PokeDescriptor poke) {
            this.program = program;
            this.poke = poke;
        }
    }

    private final ProgArray array;
    private final GracePeriod gracePeriod;
    /** Guarded by the array's lock. */
    private final List<Site> sites = new ArrayList<>();

    private DirectTailCalls(ProgArray array, GracePeriod gracePeriod) {
        this.array = array;
        this.gracePeriod = gracePeriod;
    }

    /** The sites of {@code array}; from the first call on, every slot change of the array reaches them. */
    static DirectTailCalls of(ProgArray array, GracePeriod gracePeriod) {
        synchronized (array) {
            DirectTailCalls existing = array.listener(DirectTailCalls.class);
            if (existing != null) {
                return existing;
            }
            DirectTailCalls created = new DirectTailCalls(array, gracePeriod);
            array.addListener(created);
            return created;
        }
    }

    /** The entry address slot {@code key} holds (0 when empty). */
    private long slotEntry(int key) {
        return MemorySegment.ofAddress(array.address() + ProgArray.SLOTS_OFFSET + 8L * key).reinterpret(8).get(JAVA_LONG, 0);
    }

    /** A newly loaded program's site: brought to its slot's current state at once. */
    void register(NativeProgram program, PokeDescriptor poke) {
        synchronized (array) {
            sites.add(new Site(program, poke));
            long entry = slotEntry(poke.key());
            if (entry != 0) {
                TailCallPatcher.install(program, poke, entry);
            }
        }
    }

    /** The program's sites are no longer patched (before its code is freed). */
    void unregister(NativeProgram program) {
        synchronized (array) {
            sites.removeIf(site -> site.program == program);
        }
    }

    /**
     * Brings every direct site through slot {@code index} to the slot's state: a target installed or replaced at
     * once; a removed one bypassed at once (B → D) and made a nop (D → C) once the runs that may be past the
     * bypass have ended.
     */
    @Override
    public void slotChanged(ProgArray changed, int index, LoadedProgram previous, LoadedProgram current) {
        long entry = slotEntry(index);
        for (Site site : sites) {
            if (site.poke.key() != index) {
                continue;
            }
            if (entry != 0) {
                TailCallPatcher.install(site.program, site.poke, entry);
            } else if (TailCallPatcher.bypass(site.program, site.poke)) {
                long removal = ++site.removals;
                gracePeriod.defer(() -> finishRemoval(site, removal));
            }
        }
    }

    /** D → C, unless the site was filled again, removed again or unloaded since. */
    private void finishRemoval(Site site, long removal) {
        synchronized (array) {
            if (site.removals == removal && sites.contains(site) && slotEntry(site.poke.key()) == 0) {
                TailCallPatcher.clearTarget(site.program, site.poke);
            }
        }
    }

    /** Outside the array's lock: a slot emptied by a thread in no run is back in state C when its update returns. */
    @Override
    public void changeSettled(ProgArray changed) {
        gracePeriod.awaitDeferred();
    }
}
