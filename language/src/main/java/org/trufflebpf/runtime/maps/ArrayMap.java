package org.trufflebpf.runtime.maps;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.MemoryRegions;
import org.trufflebpf.runtime.NativeMemory;

/**
 * ARRAY and PERCPU_ARRAY: every index from 0 to max_entries - 1 always exists and starts zeroed; entries
 * cannot be deleted. Global data sections are one-entry arrays holding the section's bytes. A per-CPU array
 * keeps one value per CPU; programs see their CPU's copy.
 */
public final class ArrayMap extends BpfMap {
    private final MemorySegment values;
    private final long stride;
    private final int cpus;

    public ArrayMap(MapDefinition definition, int cpus) {
        super(definition, 16);
        this.cpus = definition.type() == MapType.PERCPU_ARRAY ? cpus : 1;
        this.stride = roundUp8(definition.valueSize());
        this.values = memory.allocate(stride * definition.maxEntries() * this.cpus, 16);
        values.fill((byte) 0);
        if (definition.initialValue() != null) {
            NativeMemory.copyIn(definition.initialValue(), values.address());
        }
    }

    private long slot(int index, int cpu) {
        return values.address() + ((long) cpu * maxEntries() + index) * stride;
    }


    private boolean inRange(int index) {
        return Integer.compareUnsigned(index, maxEntries()) < 0;
    }

    /** Address of entry {@code index}'s value for CPU 0; global data is entry 0. */
    public long valueAddress(int index) {
        return slot(index, 0);
    }

    /** Bytes from one entry's value to the next (the value size rounded up to 8), for code that indexes the values itself. */
    public long valueStride() {
        return stride;
    }

    /** Whether each CPU has its own copy of every value (a per-CPU array): a lookup's answer depends on the run's CPU. */
    public boolean perCpu() {
        return cpus > 1;
    }

    /** What {@link #lookup} answers for an index known to be in range: the value of {@code cpu}'s copy. */
    public long valueAddress(int index, int cpu) {
        return slot(index, Math.min(cpu, cpus - 1));
    }

    @Override
    public void addRegions(MemoryRegions regions) {
        boolean writable = !definition.readOnly();
        regions.add("map '" + name() + "'", values.address(), stride * maxEntries() * cpus, writable);
    }

    @Override
    public long lookupKeyAt(long keyAddress, int cpu) {
        int index = (int) NativeMemory.readU32(keyAddress);
        return inRange(index) ? slot(index, Math.min(cpu, cpus - 1)) : 0;
    }

    @Override
    public long lookup(byte[] key, int cpu) {
        int index = indexOf(key);
        return inRange(index) ? slot(index, Math.min(cpu, cpus - 1)) : 0;
    }

    @Override
    public long update(byte[] key, long valueAddress, long flags, int cpu) {
        return update(indexOf(key), valueAddress, flags, cpu);
    }

    @Override
    public long updateKeyAt(long keyAddress, long valueAddress, long flags, int cpu) {
        return update((int) NativeMemory.readU32(keyAddress), valueAddress, flags, cpu);
    }

    private long update(int index, long valueAddress, long flags, int cpu) {
        long checked = slotToWrite(index, flags);
        if (checked < 0) {
            return checked;
        }
        NativeMemory.copy(valueAddress, slot(index, Math.min(cpu, cpus - 1)), valueSize());
        return 0;
    }

    /** The index an update or put writes, or its negated errno: bad flags, no such index, or NOEXIST (every index exists). */
    private long slotToWrite(int index, long flags) {
        long bad = checkFlags(flags);
        if (bad != 0) {
            return bad;
        }
        if (!inRange(index)) {
            return -Errno.E2BIG;
        }
        if ((flags & ~BPF_F_LOCK) == BPF_NOEXIST) {
            return -Errno.EEXIST;
        }
        return index;
    }

    @Override
    public long delete(byte[] key) {
        return -Errno.EINVAL;
    }

    @Override
    public long deleteKeyAt(long keyAddress) {
        return -Errno.EINVAL;
    }

    @Override
    public int hostValueSize() {
        return cpus == 1 ? valueSize() : (int) stride * cpus;
    }

    @Override
    public byte[] get(byte[] key) {
        int index = indexOf(key);
        if (!inRange(index)) {
            return null;
        }
        if (cpus == 1) {
            return NativeMemory.copyOut(slot(index, 0), valueSize());
        }
        byte[] all = new byte[(int) stride * cpus];
        for (int cpu = 0; cpu < cpus; cpu++) {
            System.arraycopy(NativeMemory.copyOut(slot(index, cpu), (int) stride), 0, all, (int) stride * cpu, (int) stride);
        }
        return all;
    }

    @Override
    public long put(byte[] key, byte[] value, long flags) {
        long checked = slotToWrite(indexOf(key), flags);
        if (checked < 0) {
            return checked;
        }
        int index = (int) checked;
        if (cpus == 1) {
            NativeMemory.copyIn(value, slot(index, 0));
        } else {
            for (int cpu = 0; cpu < cpus; cpu++) {
                byte[] part = Arrays.copyOfRange(value, (int) stride * cpu, (int) stride * cpu + valueSize());
                NativeMemory.copyIn(part, slot(index, cpu));
            }
        }
        return 0;
    }

    @Override
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < maxEntries(); i++) {
            keys.add(keyOf(i));
        }
        return keys;
    }
}
