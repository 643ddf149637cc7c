package org.trufflebpf.runtime.maps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.runtime.MemoryRegions;

/**
 * STACK_TRACE, as the kernel's stack map keeps it: a table of {@code roundup_pow_of_two(max_entries)} buckets,
 * each empty or holding one stack of u64 ips, and {@code max_entries} preallocated stacks to fill them with.
 * {@code bpf_get_stackid} hashes a stack's ips (jhash2, seed 0, over the ips as u32 words) into a bucket; the
 * bucket's index is the stack id. A bucket holding another stack answers -EEXIST unless the caller passes
 * BPF_F_REUSE_STACKID, which replaces it; with no free stack left, -ENOMEM. Programs reach the map only through
 * that helper; the host reads (ips, then zeros to the value size) and deletes entries by id, and cannot write
 * them (EINVAL), as with the kernel's.
 */
public final class StackTraceMap extends KeylessMap {
    /** bpf_get_stackid's flags beyond the skip count (BPF_F_SKIP_FIELD_MASK, the low 8 bits). */
    public static final long BPF_F_SKIP_FIELD_MASK = 0xff;
    public static final long BPF_F_USER_STACK = 1 << 8;
    public static final long BPF_F_FAST_STACK_CMP = 1 << 9;
    public static final long BPF_F_REUSE_STACKID = 1 << 10;

    /** One stored stack: its hash and its ips. */
    private record Bucket(int hash, long[] ips) {
    }

    private final Bucket[] buckets;
    /** Preallocated stacks not in a bucket (the kernel's freelist). */
    private int free;

    public StackTraceMap(MapDefinition definition) {
        super(definition, 16);
        int entries = definition.maxEntries();
        int n = Integer.highestOneBit(entries);
        this.buckets = new Bucket[n == entries ? n : n << 1];
        this.free = entries;
    }

    /** The most ips a stored stack holds: one per 8 bytes of value. */
    public int depth() {
        return valueSize() / 8;
    }

    /** None: programs never read the stacks (the verifier allows only bpf_get_stackid on this map). */
    @Override
    public void addRegions(MemoryRegions regions) {
    }

    /**
     * Stores {@code ips} (already skipped and cut to {@link #depth()}) as bpf_get_stackid does: the stack id, or
     * -EEXIST (its bucket holds another stack and {@code flags} lacks BPF_F_REUSE_STACKID), -ENOMEM (no free stack).
     */
    public synchronized long store(long[] ips, long flags) {
        int hash = jhash2(ips);
        int id = hash & (buckets.length - 1);
        Bucket bucket = buckets[id];
        boolean hashMatches = bucket != null && bucket.hash == hash;
        if (hashMatches && (flags & BPF_F_FAST_STACK_CMP) != 0) {
            return id;
        }
        if (hashMatches && Arrays.equals(bucket.ips, ips)) {
            return id;
        }
        if (bucket != null && (flags & BPF_F_REUSE_STACKID) == 0) {
            return -Errno.EEXIST;
        }
        if (free == 0) {
            return -Errno.ENOMEM;
        }
        free--;
        if (bucket != null) {
            // The replaced stack goes back to the free ones, as the kernel pushes it to its freelist.
            free++;
        }
        buckets[id] = new Bucket(hash, ips.clone());
        return id;
    }

    /** As the kernel's: -E2BIG for an id past the buckets, -ENOENT for an empty one. */
    @Override
    public synchronized long delete(byte[] key) {
        int id = indexOf(key);
        if (Integer.compareUnsigned(id, buckets.length) >= 0) {
            return -Errno.E2BIG;
        }
        if (buckets[id] == null) {
            return -Errno.ENOENT;
        }
        buckets[id] = null;
        free++;
        return 0;
    }

    /** The stack's ips, then zeros up to the value size; null for an empty bucket or an id past them. */
    @Override
    public synchronized byte[] get(byte[] key) {
        int id = indexOf(key);
        if (Integer.compareUnsigned(id, buckets.length) >= 0 || buckets[id] == null) {
            return null;
        }
        byte[] value = new byte[valueSize()];
        long[] ips = buckets[id].ips;
        for (int i = 0; i < ips.length; i++) {
            for (int b = 0; b < 8; b++) {
                value[8 * i + b] = (byte) (ips[i] >>> (8 * b));
            }
        }
        return value;
    }

    /** The ids holding a stack, in order (as BPF_MAP_GET_NEXT_KEY walks the buckets). */
    @Override
    public synchronized List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        for (int id = 0; id < buckets.length; id++) {
            if (buckets[id] != null) {
                keys.add(keyOf(id));
            }
        }
        return keys;
    }

    /** Bob Jenkins' lookup3 hash of the ips as little-endian u32 words, as the kernel's jhash2 with seed 0. */
    public static int jhash2(long[] ips) {
        int length = ips.length * 2;
        int a = 0xdeadbeef + (length << 2);
        int b = a;
        int c = a;
        int k = 0;
        while (length > 3) {
            a += word(ips, k);
            b += word(ips, k + 1);
            c += word(ips, k + 2);
            a -= c;
            a ^= Integer.rotateLeft(c, 4);
            c += b;
            b -= a;
            b ^= Integer.rotateLeft(a, 6);
            a += c;
            c -= b;
            c ^= Integer.rotateLeft(b, 8);
            b += a;
            a -= c;
            a ^= Integer.rotateLeft(c, 16);
            c += b;
            b -= a;
            b ^= Integer.rotateLeft(a, 19);
            a += c;
            c -= b;
            c ^= Integer.rotateLeft(b, 4);
            b += a;
            length -= 3;
            k += 3;
        }
        if (length == 0) {
            return c;
        }
        if (length == 3) {
            c += word(ips, k + 2);
        }
        if (length >= 2) {
            b += word(ips, k + 1);
        }
        a += word(ips, k);
        c ^= b;
        c -= Integer.rotateLeft(b, 14);
        a ^= c;
        a -= Integer.rotateLeft(c, 11);
        b ^= a;
        b -= Integer.rotateLeft(a, 25);
        c ^= b;
        c -= Integer.rotateLeft(b, 16);
        a ^= c;
        a -= Integer.rotateLeft(c, 4);
        b ^= a;
        b -= Integer.rotateLeft(a, 14);
        c ^= b;
        c -= Integer.rotateLeft(b, 24);
        return c;
    }

    private static int word(long[] ips, int index) {
        long ip = ips[index >> 1];
        return (int) ((index & 1) == 0 ? ip : ip >>> 32);
    }
}
