package org.trufflebpf.runtime.maps;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.MemoryRegions;
import org.trufflebpf.runtime.NativeMemory;

/**
 * HASH, LRU_HASH and PERCPU_HASH with preallocated value slots (as the kernel's default prealloc): a full
 * hash map refuses new keys with -E2BIG, an LRU map evicts its least recently used entry instead. All
 * operations lock the map, so programs on several threads and the host may use it at once.
 * <p>
 * The keys live in the map's own arrays, found through an open-addressing index, so that a program's lookup,
 * update or delete reads its key where the program keeps it and allocates nothing. Entries are chained in
 * insertion order (access order for LRU maps: a lookup or update moves the entry to the end), which is the
 * order {@link #keys()} gives and the eldest an LRU map evicts. The arrays grow with the entries, not with
 * {@code max_entries}, so a large, mostly empty map costs little heap.
 */
public final class HashMap extends BpfMap {
    private static final int NONE = -1;

    private final boolean lru;
    private final int cpus;
    private final long stride;
    private final MemorySegment slots;
    private final int keySize;
    private final int maxEntries;

    /** Per slot: its key's bytes ({@code keySize} at {@code slot * keySize}), hash, and neighbours in the order. */
    private byte[] keys = new byte[0];
    private int[] hashes = new int[0];
    private int[] previous = new int[0];
    private int[] next = new int[0];
    private int first = NONE;
    private int last = NONE;
    private int size;

    /** Slot + 1 of each entry at its hash's probe position, 0 where empty; a power of two, at most half full. */
    private int[] index = new int[8];

    /**
     * Free slots in the order they are handed out: first every slot never used ({@code unused} on), then the
     * slots freed since, oldest first, as the kernel's preallocated free list and the earlier queue gave them.
     */
    private int unused;
    private int[] freed = new int[0];
    private int freedHead;
    private int freedCount;

    public HashMap(MapDefinition definition, int cpus) {
        super(definition, 16);
        this.lru = definition.type() == MapType.LRU_HASH;
        this.cpus = definition.type() == MapType.PERCPU_HASH ? cpus : 1;
        this.stride = roundUp8(definition.valueSize());
        this.keySize = definition.keySize();
        this.maxEntries = definition.maxEntries();
        this.slots = memory.allocate(stride * this.cpus * maxEntries, 16);
        slots.fill((byte) 0);
    }

    private long slotAddress(int slot, int cpu) {
        return slots.address() + ((long) slot * cpus + cpu) * stride;
    }

    @Override
    public void addRegions(MemoryRegions regions) {
        regions.add("map '" + name() + "'", slots.address(), slots.byteSize(), true);
    }

    // Keys are read either from a byte array (the host's, or a copy) or in place at a program's address (array null).

    private int keyByte(byte[] key, long address, int i) {
        return key != null ? key[i] : (int) NativeMemory.readU8(address + i);
    }

    /** The key's 8 bytes from {@code i}, little-endian: keys are hashed and compared a word at a time. */
    private static long keyWord(byte[] key, long address, int i) {
        return key != null ? (long) WORD_IN_BYTES.get(key, i) : NativeMemory.readU64(address + i);
    }

    private static long keyHalfWord(byte[] key, long address, int i) {
        return key != null ? (int) HALF_WORD_IN_BYTES.get(key, i) & 0xffffffffL : NativeMemory.readU32(address + i);
    }

    private static final VarHandle WORD_IN_BYTES = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle HALF_WORD_IN_BYTES = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** The hash the index files {@code key} under (for tests that need two keys of one hash). */
    int hashOf(byte[] key) {
        return hash(key, 0);
    }

    private int hash(byte[] key, long address) {
        long h = 0x9e3779b97f4a7c15L;
        int i = 0;
        for (; i + 8 <= keySize; i += 8) {
            h = (h ^ keyWord(key, address, i)) * 0x100000001b3L;
        }
        if (i + 4 <= keySize) {
            h = (h ^ keyHalfWord(key, address, i)) * 0x100000001b3L;
            i += 4;
        }
        for (; i < keySize; i++) {
            h = (h ^ (keyByte(key, address, i) & 0xff)) * 0x100000001b3L;
        }
        // The index probes from the low bits, which the multiplications leave depending on the low bits alone.
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }

    private boolean sameKey(int slot, byte[] key, long address) {
        int base = slot * keySize;
        int i = 0;
        for (; i + 8 <= keySize; i += 8) {
            if ((long) WORD_IN_BYTES.get(keys, base + i) != keyWord(key, address, i)) {
                return false;
            }
        }
        if (i + 4 <= keySize) {
            if (((int) HALF_WORD_IN_BYTES.get(keys, base + i) & 0xffffffffL) != keyHalfWord(key, address, i)) {
                return false;
            }
            i += 4;
        }
        for (; i < keySize; i++) {
            if (keys[base + i] != (byte) keyByte(key, address, i)) {
                return false;
            }
        }
        return true;
    }

    /** The slot holding the key, or {@link #NONE}. */
    private int find(byte[] key, long address) {
        if (key != null && key.length != keySize) {
            return NONE;
        }
        return find(key, address, hash(key, address));
    }

    /** As {@link #find(byte[], long)} for a key of the right size whose hash is {@code h}. */
    private int find(byte[] key, long address, int h) {
        int mask = index.length - 1;
        for (int at = h & mask;; at = (at + 1) & mask) {
            int entry = index[at];
            if (entry == 0) {
                return NONE;
            }
            int slot = entry - 1;
            if (hashes[slot] == h && sameKey(slot, key, address)) {
                return slot;
            }
        }
    }

    /** An LRU map's lookups and updates make the entry the most recently used. */
    private void touch(int slot) {
        if (lru && slot != last) {
            unlink(slot);
            append(slot);
        }
    }

    private void append(int slot) {
        previous[slot] = last;
        next[slot] = NONE;
        if (last == NONE) {
            first = slot;
        } else {
            next[last] = slot;
        }
        last = slot;
    }

    private void unlink(int slot) {
        int before = previous[slot];
        int after = next[slot];
        if (before == NONE) {
            first = after;
        } else {
            next[before] = after;
        }
        if (after == NONE) {
            last = before;
        } else {
            previous[after] = before;
        }
    }

    private int takeFreeSlot() {
        if (unused < maxEntries) {
            int slot = unused++;
            if (slot >= hashes.length) {
                int grown = (int) Math.min(maxEntries, Math.max(8L, 2L * hashes.length));
                keys = Arrays.copyOf(keys, grown * keySize);
                hashes = Arrays.copyOf(hashes, grown);
                previous = Arrays.copyOf(previous, grown);
                next = Arrays.copyOf(next, grown);
            }
            return slot;
        }
        if (freedCount == 0) {
            return NONE;
        }
        int slot = freed[freedHead];
        freedHead = (freedHead + 1) % freed.length;
        freedCount--;
        return slot;
    }

    private void giveBack(int slot) {
        if (freedCount == freed.length) {
            int[] grown = new int[Math.max(8, freed.length * 2)];
            for (int i = 0; i < freedCount; i++) {
                grown[i] = freed[(freedHead + i) % freed.length];
            }
            freed = grown;
            freedHead = 0;
        }
        freed[(freedHead + freedCount) % freed.length] = slot;
        freedCount++;
    }

    /** Puts the key into a free slot and the index (the caller has made room). */
    private void insert(int slot, byte[] key, long address, int h) {
        int base = slot * keySize;
        for (int i = 0; i < keySize; i++) {
            keys[base + i] = (byte) keyByte(key, address, i);
        }
        hashes[slot] = h;
        if (2 * (size + 1) > index.length) {
            rehash(index.length * 2);
        }
        place(slot);
        append(slot);
        size++;
    }

    private void place(int slot) {
        int mask = index.length - 1;
        int at = hashes[slot] & mask;
        while (index[at] != 0) {
            at = (at + 1) & mask;
        }
        index[at] = slot + 1;
    }

    private void rehash(int capacity) {
        index = new int[capacity];
        for (int slot = first; slot != NONE; slot = next[slot]) {
            place(slot);
        }
    }

    /** Takes the entry of a slot out of the index and the order, and frees the slot. */
    private void remove(int slot) {
        int mask = index.length - 1;
        int at = hashes[slot] & mask;
        while (index[at] != slot + 1) {
            at = (at + 1) & mask;
        }
        // Backward-shift deletion: entries after the hole that could sit in it move up, so probes never stop early.
        int hole = at;
        for (int scan = (hole + 1) & mask; index[scan] != 0; scan = (scan + 1) & mask) {
            int home = hashes[index[scan] - 1] & mask;
            // It may fill the hole when the hole lies on its probe path: no further from its home than it is now.
            if (((scan - home) & mask) >= ((scan - hole) & mask)) {
                index[hole] = index[scan];
                hole = scan;
            }
        }
        index[hole] = 0;
        unlink(slot);
        size--;
        giveBack(slot);
    }

    @Override
    public synchronized long lookup(byte[] key, int cpu) {
        return lookup(key, 0, cpu);
    }

    @Override
    public synchronized long lookupKeyAt(long keyAddress, int cpu) {
        return lookup(null, keyAddress, cpu);
    }

    private long lookup(byte[] key, long address, int cpu) {
        int slot = find(key, address);
        if (slot == NONE) {
            return 0;
        }
        touch(slot);
        return slotAddress(slot, Math.min(cpu, cpus - 1));
    }

    /** Finds or makes the slot for a key under the update flags; returns a slot or a negated errno. */
    private long slotForUpdate(byte[] key, long address, long flags) {
        long bad = checkFlags(flags);
        if (bad != 0) {
            return bad;
        }
        if (key != null && key.length != keySize) {
            return -Errno.EINVAL;
        }
        long mode = flags & ~BPF_F_LOCK;
        int h = hash(key, address);
        int slot = find(key, address, h);
        if (slot != NONE) {
            touch(slot);
            return mode == BPF_NOEXIST ? -Errno.EEXIST : slot;
        }
        if (mode == BPF_EXIST) {
            return -Errno.ENOENT;
        }
        int fresh = takeFreeSlot();
        if (fresh == NONE) {
            if (!lru || size == 0) {
                return -Errno.E2BIG;
            }
            remove(first);
            fresh = takeFreeSlot();
        }
        for (int cpu = 0; cpu < cpus; cpu++) {
            NativeMemory.fill(slotAddress(fresh, cpu), stride, (byte) 0);
        }
        insert(fresh, key, address, h);
        return fresh;
    }

    @Override
    public synchronized long update(byte[] key, long valueAddress, long flags, int cpu) {
        return update(key, 0, valueAddress, flags, cpu);
    }

    @Override
    public synchronized long updateKeyAt(long keyAddress, long valueAddress, long flags, int cpu) {
        return update(null, keyAddress, valueAddress, flags, cpu);
    }

    private long update(byte[] key, long address, long valueAddress, long flags, int cpu) {
        long slot = slotForUpdate(key, address, flags);
        if (slot < 0) {
            return slot;
        }
        NativeMemory.copy(valueAddress, slotAddress((int) slot, Math.min(cpu, cpus - 1)), valueSize());
        return 0;
    }

    @Override
    public synchronized long delete(byte[] key) {
        return delete(key, 0);
    }

    @Override
    public synchronized long deleteKeyAt(long keyAddress) {
        return delete(null, keyAddress);
    }

    private long delete(byte[] key, long address) {
        int slot = find(key, address);
        if (slot == NONE) {
            return -Errno.ENOENT;
        }
        remove(slot);
        return 0;
    }

    @Override
    public int hostValueSize() {
        return cpus == 1 ? valueSize() : (int) stride * cpus;
    }

    @Override
    public synchronized byte[] get(byte[] key) {
        int slot = find(key, 0);
        if (slot == NONE) {
            return null;
        }
        touch(slot);
        if (cpus == 1) {
            return NativeMemory.copyOut(slotAddress(slot, 0), valueSize());
        }
        return NativeMemory.copyOut(slotAddress(slot, 0), (int) stride * cpus);
    }

    @Override
    public synchronized long put(byte[] key, byte[] value, long flags) {
        long slot = slotForUpdate(key, 0, flags);
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
        List<byte[]> out = new ArrayList<>(size);
        for (int slot = first; slot != NONE; slot = next[slot]) {
            out.add(Arrays.copyOfRange(keys, slot * keySize, (slot + 1) * keySize));
        }
        return out;
    }
}
