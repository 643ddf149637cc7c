package org.trufflebpf.runtime;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * The run-time state one context owns and shares with no other: the maps its programs may name, by the header
 * address a program holds (helpers and tail calls turn r1 or r2 into a map only through {@link #map}), and its
 * native runs in progress ({@link #gracePeriod()}). A run reaches it through its program's maps
 * ({@link MapSet#runtime()}), so a program can only ever name objects of its own context, whatever the verifier
 * said: an address of another context's map is just a number here.
 *
 * <p>The table holds maps weakly: a module nobody holds any more can be freed while its context lives (a Cleaner
 * does it, see {@link MapSet#releaser()}), and a run that finds a map here keeps it alive to its end
 * ({@link RunState#map}).
 */
public final class ContextRuntime {
    private final Map<Long, WeakReference<BpfMap>> maps = new ConcurrentHashMap<>();
    private final GracePeriod gracePeriod = new GracePeriod();

    /** The map of this context whose header is at {@code address}, or null: how helpers turn r1 into a map. */
    public BpfMap map(long address) {
        WeakReference<BpfMap> map = maps.get(address);
        return map == null ? null : map.get();
    }

    /** Makes a module's maps nameable by this context's programs (once its load succeeded). */
    public void publish(MapSet set) {
        for (BpfMap map : set.all()) {
            maps.put(map.address(), new WeakReference<>(map));
        }
    }

    /**
     * The maps with headers at these addresses are gone from this context, before their memory is freed (so no
     * other map can have taken an address yet).
     */
    public void withdraw(long[] addresses) {
        for (long address : addresses) {
            maps.remove(address);
        }
    }

    /** Maps programs of this context can name now. */
    public int mapCount() {
        return maps.size();
    }

    /** The native runs of this context, which patching and freeing of its native code wait for. */
    public GracePeriod gracePeriod() {
        return gracePeriod;
    }
}
