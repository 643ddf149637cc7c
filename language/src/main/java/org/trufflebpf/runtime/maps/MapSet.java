package org.trufflebpf.runtime.maps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.LinuxMapTypes;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.runtime.ContextRuntime;
import org.trufflebpf.runtime.MemoryRegions;

/**
 * The maps of one loaded object, indexed as its lddw map references are, in the context that owns them.
 * Creating them checks each definition the way the kernel's map_create would.
 */
public final class MapSet {
    private static final AtomicLong IDS = new AtomicLong();

    private final List<BpfMap> maps;
    private final ContextRuntime runtime;
    private final Runnable releaser;
    /** Tells the maps of one loaded object from another's: native code compares it to see a run enter another module. */
    private final long id = IDS.incrementAndGet();

    private MapSet(List<BpfMap> maps, ContextRuntime runtime) {
        this.maps = List.copyOf(maps);
        this.runtime = runtime;
        for (BpfMap map : maps) {
            map.owner = this;
        }
        this.releaser = releaserOf(this.maps, runtime);
    }

    /** Frees once: the maps leave their context's table, then their memory goes. Holds neither a map nor the set. */
    private static Runnable releaserOf(List<BpfMap> maps, ContextRuntime runtime) {
        long[] addresses = maps.stream().mapToLong(BpfMap::address).toArray();
        List<MapMemory> memories = maps.stream().map(BpfMap::memory).toList();
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                runtime.withdraw(addresses);
                memories.forEach(MapMemory::close);
            }
        };
    }

    /**
     * The maps of an object loaded into the context of {@code runtime}; its programs can name them once the
     * load succeeded ({@link ContextRuntime#publish}).
     */
    public static MapSet create(List<MapDefinition> definitions, int cpus, String file, ContextRuntime runtime) {
        List<BpfMap> maps = new ArrayList<>();
        try {
            for (MapDefinition definition : definitions) {
                String problem = definition.problem();
                if (problem != null) {
                    throw new BpfError(BpfError.Kind.LOAD, file, "map '" + definition.name() + "': " + problem);
                }
                maps.add(switch (definition.type()) {
                    case ARRAY, PERCPU_ARRAY -> new ArrayMap(definition, cpus);
                    case HASH, LRU_HASH, PERCPU_HASH -> new HashMap(definition, cpus);
                    case LPM_TRIE -> new LpmTrie(definition);
                    case PROG_ARRAY -> new ProgArray(definition);
                    case RINGBUF -> new RingBuffer(definition);
                    case PERF_EVENT_ARRAY -> new PerfEventArray(definition, cpus);
                    case STACK_TRACE -> new StackTraceMap(definition);
                    case CGROUP_ARRAY -> new CgroupArray(definition);
                    case ARRAY_OF_MAPS, HASH_OF_MAPS -> new MapOfMaps(definition);
                    case DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP -> new RedirectMap(definition, cpus);
                    default -> throw new BpfError(BpfError.Kind.LOAD, file, "map '" + definition.name() + "': type " + LinuxMapTypes.describe(definition.type().linuxId())
                                    + " is not supported");
                });
            }
        } catch (RuntimeException | Error e) {
            // The maps made before the bad one are freed at once (native memory is not garbage collected).
            maps.forEach(BpfMap::close);
            throw e;
        }
        return new MapSet(maps, runtime);
    }

    /** Maps in a context of their own that holds nothing else, nameable at once (tools and tests). */
    public static MapSet create(List<MapDefinition> definitions, int cpus, String file) {
        MapSet set = create(definitions, cpus, file, new ContextRuntime());
        set.runtime.publish(set);
        return set;
    }

    /** No maps, in a context of their own. */
    public static MapSet empty() {
        return new MapSet(List.of(), new ContextRuntime());
    }

    /** A number no other map set of this JVM has (from 1). */
    public long id() {
        return id;
    }

    /** The context the maps belong to: the only one whose programs can name them. */
    public ContextRuntime runtime() {
        return runtime;
    }

    public List<BpfMap> all() {
        return maps;
    }

    public BpfMap get(int index) {
        return maps.get(index);
    }

    public int size() {
        return maps.size();
    }

    public BpfMap byName(String name) {
        for (BpfMap map : maps) {
            if (map.name().equals(name)) {
                return map;
            }
        }
        return null;
    }

    public void addRegions(MemoryRegions regions) {
        for (BpfMap map : maps) {
            map.addRegions(regions);
        }
    }

    /**
     * What frees the maps, holding nothing that keeps this set (or any of its maps, each of which holds the set)
     * reachable, so a Cleaner registered on the set may run it once no one holds the module. Whoever runs it
     * makes sure no run can still touch the maps' memory. Runs once.
     */
    public Runnable releaser() {
        return releaser;
    }

    /** Frees the maps now; no run may still use them. */
    public void close() {
        releaser.run();
    }
}
