package org.trufflebpf.runtime.maps;

import org.trufflebpf.model.MapDefinition;

/**
 * A map whose entries programs do not reach by key (prog arrays, ring buffers, perf event arrays, redirect and
 * stack trace maps, cgroup arrays): program lookups find nothing and program updates fail the way the kernel's
 * do for such maps. The host-side operations fail too, unless a map says otherwise.
 */
abstract class KeylessMap extends BpfMap {
    protected KeylessMap(MapDefinition definition, long headerBytes) {
        super(definition, headerBytes);
    }

    @Override
    public long lookup(byte[] key, int cpu) {
        return 0;
    }

    @Override
    public long update(byte[] key, long valueAddress, long flags, int cpu) {
        return -Errno.EINVAL;
    }

    @Override
    public long delete(byte[] key) {
        return -Errno.EINVAL;
    }

    @Override
    public byte[] get(byte[] key) {
        return null;
    }

    @Override
    public long put(byte[] key, byte[] value, long flags) {
        return -Errno.EINVAL;
    }
}
