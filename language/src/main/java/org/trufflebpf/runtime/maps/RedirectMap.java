package org.trufflebpf.runtime.maps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.MemoryRegions;

/**
 * DEVMAP, DEVMAP_HASH, CPUMAP and XSKMAP: where {@code bpf_redirect_map} sends a packet. There are no network
 * devices, CPU queues or AF_XDP sockets here, so an entry is only what the host put in it, and a redirect is
 * recorded in the run's result rather than carried out. A devmap entry holds an ifindex (any non-zero number
 * is taken: there is no device list to check it against, where the kernel answers EINVAL for an unknown one);
 * a cpumap entry a queue size, at a CPU below the run's CPU count; an xskmap entry a non-zero placeholder for
 * the socket the kernel would take by fd. Programs in devmap and cpumap entries (8-byte values with a program
 * fd) are not supported: a non-zero fd is refused with EINVAL. Updates and deletes answer as the kernel's.
 * Programs only redirect through these maps: the verifier refuses lookups.
 */
public final class RedirectMap extends KeylessMap {
    /** cpumap's sanity limit on a queue size (EOVERFLOW above it). */
    static final int MAX_CPUMAP_QSIZE = 16384;

    private final Map<Integer, byte[]> entries = new LinkedHashMap<>();
    private final int cpus;

    public RedirectMap(MapDefinition definition, int cpus) {
        super(definition, 16);
        this.cpus = cpus;
    }

    private MapType type() {
        return definition.type();
    }

    private boolean isArray() {
        return type() != MapType.DEVMAP_HASH;
    }

    @Override
    public void addRegions(MemoryRegions regions) {
        // Programs never read these entries.
    }

    /** The entry bpf_redirect_map finds at {@code key}, or null. */
    public synchronized byte[] target(int key) {
        byte[] value = entries.get(key);
        return value == null ? null : value.clone();
    }

    /** The first u32 of an entry: the ifindex of a devmap's, the queue size of a cpumap's, the xskmap's placeholder. */
    public static long firstWord(byte[] value) {
        return indexOf(value) & 0xffffffffL;
    }

    @Override
    public synchronized long delete(byte[] key) {
        int index = indexOf(key);
        if (!isArray()) {
            return entries.remove(index) == null ? -Errno.ENOENT : 0;
        }
        // The array kinds empty a slot whether or not it held anything, and answer EINVAL past the end.
        if (Integer.compareUnsigned(index, maxEntries()) >= 0) {
            return -Errno.EINVAL;
        }
        entries.remove(index);
        return 0;
    }

    /** As BPF_MAP_LOOKUP_ELEM from user space: the entry, or null (an xskmap's cannot be read, EOPNOTSUPP in the kernel). */
    @Override
    public synchronized byte[] get(byte[] key) {
        if (type() == MapType.XSKMAP) {
            return null;
        }
        byte[] value = entries.get(indexOf(key));
        return value == null ? null : value.clone();
    }

    @Override
    public synchronized long put(byte[] key, byte[] value, long flags) {
        if (flags > BPF_EXIST || flags < 0) {
            return -Errno.EINVAL;
        }
        int index = indexOf(key);
        long first = firstWord(value);
        boolean present = entries.containsKey(index);
        if (isArray() && Integer.compareUnsigned(index, maxEntries()) >= 0) {
            return -Errno.E2BIG;
        }
        if (type() == MapType.DEVMAP || type() == MapType.CPUMAP) {
            if (flags == BPF_NOEXIST) {
                // Every slot of a devmap or cpumap exists, set or not.
                return -Errno.EEXIST;
            }
        } else if (flags == BPF_NOEXIST && present) {
            return -Errno.EEXIST;
        } else if (type() == MapType.XSKMAP && flags == BPF_EXIST && !present) {
            // The kernel's devmap_hash checks NOEXIST only (EXIST on an absent key adds it); its xskmap both.
            return -Errno.ENOENT;
        } else if (!isArray() && !present && entries.size() >= maxEntries()) {
            return -Errno.E2BIG;
        }
        if (value.length > 4 && firstWord(Arrays.copyOfRange(value, 4, 8)) != 0) {
            return -Errno.EINVAL;
        }
        switch (type()) {
            case DEVMAP -> {
                if (first == 0) {
                    // ifindex 0 empties the slot.
                    entries.remove(index);
                    return 0;
                }
            }
            case CPUMAP -> {
                if (first > MAX_CPUMAP_QSIZE) {
                    return -Errno.EOVERFLOW;
                }
                if (Integer.compareUnsigned(index, cpus) >= 0) {
                    return -Errno.ENODEV;
                }
                if (first == 0) {
                    // Queue size 0 empties the slot.
                    entries.remove(index);
                    return 0;
                }
            }
            default -> {
                if (first == 0) {
                    return -Errno.EINVAL;
                }
            }
        }
        entries.put(index, value.clone());
        return 0;
    }

    @Override
    public synchronized List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        List<Integer> order = new ArrayList<>(entries.keySet());
        if (isArray()) {
            order.sort(Integer::compareUnsigned);
        }
        for (int k : order) {
            keys.add(keyOf(k));
        }
        return keys;
    }
}
