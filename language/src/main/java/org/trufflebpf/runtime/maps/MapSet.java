package org.trufflebpf.runtime.maps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.runtime.MemoryRegions;

/**
 * The maps of one loaded object, indexed as its lddw map references are. Creating them checks each definition
 * the way the kernel's map_create would.
 */
public final class MapSet {
    private static final AtomicLong IDS = new AtomicLong();

    private final List<BpfMap> maps;
    /** Tells the maps of one loaded object from another's: native code compares it to see a run enter another module. */
    private final long id = IDS.incrementAndGet();

    private MapSet(List<BpfMap> maps) {
        this.maps = List.copyOf(maps);
    }

    /** A number no other map set of this JVM has (from 1). */
    public long id() {
        return id;
    }

    public static MapSet create(List<MapDefinition> definitions, int cpus, String file) {
        List<BpfMap> maps = new ArrayList<>();
        for (MapDefinition definition : definitions) {
            String problem = definition.problem();
            if (problem != null) {
                throw new BpfError(BpfError.Kind.LOAD, file, "map '" + definition.name() + "': " + problem);
            }
            maps.add(switch (definition.type()) {
                case ARRAY, PERCPU_ARRAY -> new ArrayMap(definition, cpus);
                case HASH, LRU_HASH, PERCPU_HASH -> new HashMap(definition, cpus);
                case PROG_ARRAY -> new ProgArray(definition);
                case RINGBUF -> new RingBuffer(definition);
                default -> throw new BpfError(BpfError.Kind.LOAD, file, "map '" + definition.name() + "': type " + definition.type() + " is not supported");
            });
        }
        return new MapSet(maps);
    }

    public static MapSet empty() {
        return new MapSet(List.of());
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

    public void close() {
        for (BpfMap map : maps) {
            map.close();
        }
    }
}
