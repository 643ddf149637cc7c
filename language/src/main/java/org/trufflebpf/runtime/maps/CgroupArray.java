package org.trufflebpf.runtime.maps;

import java.util.ArrayList;
import java.util.List;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.runtime.CgroupPath;
import org.trufflebpf.runtime.MemoryRegions;

/**
 * CGROUP_ARRAY: slot i empty or holding a cgroup, for {@code bpf_skb_under_cgroup} and
 * {@code bpf_current_task_under_cgroup}. The kernel's host puts a cgroup's fd in a slot; here the host puts its
 * path ({@link CgroupPath}), with the kernel's rules for an fd array: BPF_ANY only, -E2BIG past the end; deleting
 * an empty slot -ENOENT. The kernel cannot read a slot back (ENOTSUPP); the host here can, as a path. Bytes are
 * not a slot's value: {@code get} finds nothing and {@code put} answers EINVAL; the host uses {@link #cgroup} and
 * {@link #set}. Programs reach the map only through the two helpers.
 */
public final class CgroupArray extends KeylessMap {
    private final String[] slots;

    public CgroupArray(MapDefinition definition) {
        super(definition, 16);
        this.slots = new String[definition.maxEntries()];
    }

    /** None: programs never read a cgroup array's slots. */
    @Override
    public void addRegions(MemoryRegions regions) {
    }

    /**
     * Whether {@code cgroup} lies under the cgroup in slot {@code index} (ancestor or itself): 1 or 0, or -E2BIG
     * past the end, -EAGAIN for an empty slot, as both helpers answer.
     */
    public synchronized long under(long index, String cgroup) {
        if (index >= maxEntries()) {
            return -Errno.E2BIG;
        }
        String slot = slots[(int) index];
        if (slot == null) {
            return -Errno.EAGAIN;
        }
        return CgroupPath.isUnder(cgroup, slot) ? 1 : 0;
    }

    /** Puts the cgroup at {@code path} in slot {@code index}: 0, -EINVAL for flags other than BPF_ANY, -E2BIG past the end. */
    public synchronized long set(long index, String path, long flags) {
        if (flags != BPF_ANY) {
            return -Errno.EINVAL;
        }
        if (index < 0 || index >= maxEntries()) {
            return -Errno.E2BIG;
        }
        slots[(int) index] = CgroupPath.parse(path);
        return 0;
    }

    /** The path in slot {@code index}, or null when it is empty or past the end. */
    public synchronized String cgroup(long index) {
        return index >= 0 && index < maxEntries() ? slots[(int) index] : null;
    }

    @Override
    public synchronized long delete(byte[] key) {
        long index = indexOf(key) & 0xffffffffL;
        if (index >= maxEntries()) {
            return -Errno.E2BIG;
        }
        if (slots[(int) index] == null) {
            return -Errno.ENOENT;
        }
        slots[(int) index] = null;
        return 0;
    }

    /** The occupied slots, in order. */
    @Override
    public synchronized List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                keys.add(keyOf(i));
            }
        }
        return keys;
    }
}
