package org.trufflebpf.runtime.maps;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.MemoryRegions;

/**
 * ARRAY_OF_MAPS and HASH_OF_MAPS: each entry holds another map of the same context that matches the outer map's
 * inner template ({@link MapDefinition#innerMismatch}). A program's lookup answers the inner map's header address
 * (what {@code lddw map:} would load for it), or 0; programs may not update or delete entries, as in the kernel.
 * The host sets and clears entries with the kernel's answers: an array of maps takes BPF_ANY only and has no
 * entry beyond max_entries (E2BIG); a hash of maps honours BPF_NOEXIST and BPF_EXIST and holds at most
 * max_entries inner maps (E2BIG). The host reads an entry as the inner map's id, as the kernel's syscall does.
 */
public final class MapOfMaps extends BpfMap {
    /** Entries by key bytes (a ByteBuffer compares by content), in insertion order for a hash, by index for an array. */
    private final Map<ByteBuffer, BpfMap> entries = new LinkedHashMap<>();

    public MapOfMaps(MapDefinition definition) {
        super(definition, 16);
    }

    private boolean isArray() {
        return definition.type() == MapType.ARRAY_OF_MAPS;
    }

    /** The inner template every entry matches. */
    public MapDefinition template() {
        return definition.inner();
    }

    @Override
    public void addRegions(MemoryRegions regions) {
        // Programs never touch the outer map's memory; an inner map's values become reachable when a lookup names it.
    }

    /** The inner map at {@code key}, or null. */
    public synchronized BpfMap inner(byte[] key) {
        return key.length == keySize() ? entries.get(ByteBuffer.wrap(key.clone())) : null;
    }

    @Override
    public long lookup(byte[] key, int cpu) {
        BpfMap inner = inner(key);
        return inner == null ? 0 : inner.address();
    }

    /** Programs cannot store maps (the verifier refuses the call; this is what an unverified one gets). */
    @Override
    public long update(byte[] key, long valueAddress, long flags, int cpu) {
        return -Errno.EINVAL;
    }

    @Override
    public long delete(byte[] key) {
        return -Errno.EINVAL;
    }

    /**
     * Puts {@code inner} at {@code key}; returns 0 or a negated errno: EINVAL for a map that does not match the
     * template (or is this one) or bad flags, E2BIG past an array's end or a full hash, EEXIST/ENOENT for
     * BPF_NOEXIST/BPF_EXIST on a hash.
     */
    public synchronized long setInner(byte[] key, BpfMap inner, long flags) {
        if (key.length != keySize() || inner == null || inner == this || definition.innerMismatch(inner.definition()) != null) {
            return -Errno.EINVAL;
        }
        if (owner != null && (inner.owner() == null || inner.owner().runtime() != owner.runtime())) {
            // Programs may only ever name maps of their own context.
            return -Errno.EINVAL;
        }
        ByteBuffer slot = ByteBuffer.wrap(key.clone());
        if (isArray()) {
            if (flags != BPF_ANY) {
                return -Errno.EINVAL;
            }
            if (Integer.compareUnsigned(indexOf(key), maxEntries()) >= 0) {
                return -Errno.E2BIG;
            }
        } else {
            if (flags > BPF_EXIST) {
                return -Errno.EINVAL;
            }
            boolean present = entries.containsKey(slot);
            if (flags == BPF_NOEXIST && present) {
                return -Errno.EEXIST;
            }
            if (flags == BPF_EXIST && !present) {
                return -Errno.ENOENT;
            }
            if (!present && entries.size() >= maxEntries()) {
                return -Errno.E2BIG;
            }
        }
        entries.put(slot, inner);
        return 0;
    }

    /** Why {@code inner} cannot go into this map, or null when it can (for messages; {@link #setInner} decides). */
    public String mismatch(BpfMap inner) {
        return inner == this ? "a map cannot hold itself" : definition.innerMismatch(inner.definition());
    }

    /** Empties an entry: E2BIG past an array's end, ENOENT when it holds no map. */
    public synchronized long clearInner(byte[] key) {
        if (key.length != keySize()) {
            return -Errno.EINVAL;
        }
        if (isArray() && Integer.compareUnsigned(indexOf(key), maxEntries()) >= 0) {
            return -Errno.E2BIG;
        }
        return entries.remove(ByteBuffer.wrap(key.clone())) == null ? -Errno.ENOENT : 0;
    }

    /** The inner map's id as a little-endian u32, or null. */
    @Override
    public byte[] get(byte[] key) {
        BpfMap inner = inner(key);
        if (inner == null) {
            return null;
        }
        int id = inner.id();
        return keyOf(id);
    }

    /** Raw bytes name no map here (the kernel takes a map fd): only {@link #setInner} fills entries. */
    @Override
    public long put(byte[] key, byte[] value, long flags) {
        return -Errno.EINVAL;
    }

    @Override
    public synchronized List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        for (ByteBuffer key : entries.keySet()) {
            keys.add(key.array().clone());
        }
        if (isArray()) {
            keys.sort((a, b) -> Integer.compareUnsigned(indexOf(a), indexOf(b)));
        }
        return keys;
    }
}
