package org.trufflebpf.truffle;

import java.lang.ref.Cleaner;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.trufflebpf.runtime.GracePeriod;
import org.trufflebpf.runtime.NativeEngineProvider;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * What one module holds outside the Java heap (map memory, native code mappings) and its share of the context's
 * map memory limit, freed once by whichever comes first: its load failing, the module becoming unreachable, or
 * its context closing. It holds only the releasers, never the module's maps or programs nor its context (which
 * reaches them), so that a module no one holds any more can be collected while its context lives (a host may
 * evaluate modules for days), and a closed context as a whole; the Cleaner is
 * registered on the module's {@link MapSet}, which every program, map object, prog array slot holding one of its
 * programs, and run using it reaches.
 */
final class ModuleResources {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The context's list of modules not yet freed, and the map memory they count: never the context itself, which reaches its modules. */
    private final Set<ModuleResources> live;
    private final AtomicLong mapMemory;
    private final GracePeriod gracePeriod;
    private final Runnable maps;
    private final long mapBytes;
    private final List<Runnable> nativeCodes = new CopyOnWriteArrayList<>();
    private final AtomicBoolean released = new AtomicBoolean();

    ModuleResources(Set<ModuleResources> live, AtomicLong mapMemory, MapSet maps, long mapBytes) {
        this.live = live;
        this.mapMemory = mapMemory;
        this.gracePeriod = maps.runtime().gracePeriod();
        this.maps = maps.releaser();
        this.mapBytes = mapBytes;
    }

    void addNativeCode(NativeEngineProvider.NativeCode code) {
        nativeCodes.add(code.releaser());
    }

    /**
     * The module loaded: from now on, when no one holds its maps (and so none of its programs), it is freed once
     * the context's native runs active then have ended, since one of them may still be in its code after the
     * prog array slot that led there was emptied.
     */
    void freeWhenUnreachable(MapSet moduleMaps) {
        GracePeriod runs = gracePeriod;
        CLEANER.register(moduleMaps, () -> runs.defer(this::free));
    }

    /**
     * Frees now: for a load that failed (nothing could reach its maps or run its code) or a context that closes
     * (nothing runs). Maps first, so prog arrays no longer hold programs whose code goes.
     */
    void free() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        maps.run();
        nativeCodes.forEach(Runnable::run);
        live.remove(this);
        mapMemory.addAndGet(-mapBytes);
    }
}
