package org.trufflebpf.runtime;

import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.TreeMap;

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
    /**
     * The nameable maps: header addresses in ascending order and the maps there, replaced whole at each publish
     * or withdraw (rare), so that a helper's look-up is a binary search that allocates nothing (a map keyed by
     * boxed addresses made a Long per helper call) and a withdrawn map is never found once withdraw returns.
     */
    private record Table(long[] addresses, WeakReference<?>[] maps) {
    }

    private volatile Table table = new Table(new long[0], new WeakReference<?>[0]);
    private final GracePeriod gracePeriod = new GracePeriod();

    /** The map of this context whose header is at {@code address}, or null: how helpers turn r1 into a map. */
    public BpfMap map(long address) {
        Table t = table;
        int at = Arrays.binarySearch(t.addresses(), address);
        return at < 0 ? null : (BpfMap) t.maps()[at].get();
    }

    /** Makes a module's maps nameable by this context's programs (once its load succeeded). */
    public synchronized void publish(MapSet set) {
        TreeMap<Long, WeakReference<?>> all = entries();
        for (BpfMap map : set.all()) {
            all.put(map.address(), new WeakReference<>(map));
        }
        table = tableOf(all);
    }

    /**
     * The maps with headers at these addresses are gone from this context, before their memory is freed (so no
     * other map can have taken an address yet).
     */
    public synchronized void withdraw(long[] addresses) {
        TreeMap<Long, WeakReference<?>> all = entries();
        for (long address : addresses) {
            all.remove(address);
        }
        table = tableOf(all);
    }

    private TreeMap<Long, WeakReference<?>> entries() {
        TreeMap<Long, WeakReference<?>> all = new TreeMap<>();
        Table t = table;
        for (int i = 0; i < t.addresses().length; i++) {
            all.put(t.addresses()[i], t.maps()[i]);
        }
        return all;
    }

    private static Table tableOf(TreeMap<Long, WeakReference<?>> all) {
        long[] addresses = new long[all.size()];
        WeakReference<?>[] maps = new WeakReference<?>[all.size()];
        int i = 0;
        for (var entry : all.entrySet()) {
            addresses[i] = entry.getKey();
            maps[i++] = entry.getValue();
        }
        return new Table(addresses, maps);
    }

    /** Maps programs of this context can name now. */
    public int mapCount() {
        return table.addresses().length;
    }

    /** The native runs of this context, which patching and freeing of its native code wait for. */
    public GracePeriod gracePeriod() {
        return gracePeriod;
    }
}
