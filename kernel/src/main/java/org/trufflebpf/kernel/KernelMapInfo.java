package org.trufflebpf.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What the kernel says about one of its maps (BPF_OBJ_GET_INFO_BY_FD, {@code struct bpf_map_info}): here, the
 * BTF it was created with, so that a loaded BTF is seen to be used rather than assumed.
 *
 * @param btfId          the id of the map's BTF, 0 when it has none
 * @param keyTypeId      the BTF type id of its key, 0 when none
 * @param valueTypeId    the BTF type id of its value, 0 when none
 */
record KernelMapInfo(int btfId, int keyTypeId, int valueTypeId) {
    /** sizeof(struct bpf_map_info) up to map_extra: the kernel fills the smaller of this and its own size. */
    private static final int INFO_SIZE = 88;
    private static final long BTF_ID = 64;
    private static final long BTF_KEY_TYPE_ID = 68;
    private static final long BTF_VALUE_TYPE_ID = 72;

    static KernelMapInfo of(int mapFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(INFO_SIZE, 8);
            MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
            attr.set(ValueLayout.JAVA_INT, 0, mapFd);
            attr.set(ValueLayout.JAVA_INT, 4, INFO_SIZE);
            attr.set(ValueLayout.JAVA_LONG, 8, info.address());
            BpfSyscall.call(BpfSyscall.OBJ_GET_INFO_BY_FD, attr, "BPF_OBJ_GET_INFO_BY_FD");
            return new KernelMapInfo(info.get(ValueLayout.JAVA_INT, BTF_ID), info.get(ValueLayout.JAVA_INT, BTF_KEY_TYPE_ID),
                            info.get(ValueLayout.JAVA_INT, BTF_VALUE_TYPE_ID));
        }
    }
}
