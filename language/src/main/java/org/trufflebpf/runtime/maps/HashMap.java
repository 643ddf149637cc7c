package org.trufflebpf.runtime.maps;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.MemoryRegions;
import org.trufflebpf.runtime.NativeMemory;

/**
 * HASH, LRU_HASH and PERCPU_HASH with preallocated value slots (as the kernel's default prealloc): a full
 * hash map refuses new keys with -E2BIG, an LRU map evicts its least recently used entry instead. All
 * operations lock the map, so programs on several threads and the host may use it at once.
 */
public final class HashMap extends BpfMap {
    /** A key compared by content. */
    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    private final boolean lru;
    private final int cpus;
    private final long stride;
    private final MemorySegment slots;
    /** Key → slot; in access order for LRU maps so the eldest entry is the one to evict. */
    private final LinkedHashMap<Key, Integer> entries;
    private final Deque<Integer> free = new ArrayDeque<>();

    public HashMap(MapDefinition definition, int cpus) {
        super(definition, 16);
        this.lru = definition.type() == MapType.LRU_HASH;
        this.cpus = definition.type() == MapType.PERCPU_HASH ? cpus : 1;
        this.stride = roundUp8(definition.valueSize());
        this.slots = memory.allocate(stride * this.cpus * definition.maxEntries(), 16);
        slots.fill((byte) 0);
        this.entries = new LinkedHashMap<>(16, 0.75f, lru);
        for (int i = 0; i < definition.maxEntries(); i++) {
            free.add(i);
        }
    }

    private long slotAddress(int slot, int cpu) {
        return slots.address() + ((long) slot * cpus + cpu) * stride;
    }

    @Override
    public void addRegions(MemoryRegions regions) {
        regions.add("map '" + name() + "'", slots.address(), slots.byteSize(), true);
    }

    @Override
    public synchronized long lookup(byte[] key, int cpu) {
        Integer slot = entries.get(new Key(key));
        return slot == null ? 0 : slotAddress(slot, Math.min(cpu, cpus - 1));
    }

    /** Finds or makes the slot for a key under the update flags; returns a slot or a negated errno. */
    private long slotForUpdate(Key key, long flags) {
        long bad = checkFlags(flags);
        if (bad != 0) {
            return bad;
        }
        long mode = flags & ~BPF_F_LOCK;
        Integer slot = entries.get(key);
        if (slot != null) {
            return mode == BPF_NOEXIST ? -Errno.EEXIST : slot;
        }
        if (mode == BPF_EXIST) {
            return -Errno.ENOENT;
        }
        if (free.isEmpty()) {
            if (!lru || entries.isEmpty()) {
                return -Errno.E2BIG;
            }
            Map.Entry<Key, Integer> eldest = entries.entrySet().iterator().next();
            entries.remove(eldest.getKey());
            free.add(eldest.getValue());
        }
        int fresh = free.poll();
        for (int cpu = 0; cpu < cpus; cpu++) {
            NativeMemory.fill(slotAddress(fresh, cpu), stride, (byte) 0);
        }
        entries.put(key, fresh);
        return fresh;
    }

    @Override
    public synchronized long update(byte[] key, long valueAddress, long flags, int cpu) {
        long slot = slotForUpdate(new Key(key), flags);
        if (slot < 0) {
            return slot;
        }
        NativeMemory.copy(valueAddress, slotAddress((int) slot, Math.min(cpu, cpus - 1)), valueSize());
        return 0;
    }

    @Override
    public synchronized long delete(byte[] key) {
        Integer slot = entries.remove(new Key(key));
        if (slot == null) {
            return -Errno.ENOENT;
        }
        free.add(slot);
        return 0;
    }

    @Override
    public int hostValueSize() {
        return cpus == 1 ? valueSize() : (int) stride * cpus;
    }

    @Override
    public synchronized byte[] get(byte[] key) {
        Integer slot = entries.get(new Key(key));
        if (slot == null) {
            return null;
        }
        if (cpus == 1) {
            return NativeMemory.copyOut(slotAddress(slot, 0), valueSize());
        }
        return NativeMemory.copyOut(slotAddress(slot, 0), (int) stride * cpus);
    }

    @Override
    public synchronized long put(byte[] key, byte[] value, long flags) {
        long slot = slotForUpdate(new Key(key.clone()), flags);
        if (slot < 0) {
            return slot;
        }
        if (cpus == 1) {
            NativeMemory.copyIn(value, slotAddress((int) slot, 0));
        } else {
            for (int cpu = 0; cpu < cpus; cpu++) {
                NativeMemory.copyIn(Arrays.copyOfRange(value, (int) stride * cpu, (int) stride * cpu + valueSize()), slotAddress((int) slot, cpu));
            }
        }
        return 0;
    }

    @Override
    public synchronized List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        for (Key key : entries.keySet()) {
            keys.add(key.bytes().clone());
        }
        return keys;
    }
}
