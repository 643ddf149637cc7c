package org.trufflebpf.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.ObjectBtf;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.CgroupArray;
import org.trufflebpf.runtime.maps.MapOfMaps;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.PerfEventArray;
import org.trufflebpf.runtime.maps.RingBuffer;

/**
 * The kernel's copies of a module's maps (BPF_MAP_CREATE), by the runtime's map indexes. The runtime maps are
 * authoritative: {@link #copyIn} writes their contents into the kernel before a run, {@link #copyOut} reads the
 * kernel's back after it. Prog arrays hold program fds, set slot by slot as the runtime's slots change; ring
 * buffers are mapped ({@link KernelRingBuffer}) and their records copied into the runtime's ring after a run.
 * With a loaded BTF, maps that declare key and value types are created with them; a map whose types the kernel
 * refuses is created without, and the refusal is kept for {@link #btfStatus}.
 */
final class KernelMaps implements AutoCloseable {
    private static final int BPF_F_RDONLY_PROG = 1 << 7;

    private final String file;
    private final MapSet maps;
    private final KernelBtf btf;
    private final int[] fds;
    /** By map index: the mapped ring of a ring buffer, else null. */
    private final KernelRingBuffer[] rings;
    /** By map index: the events of a perf event array, else null. */
    private final KernelPerfEvents[] perfEvents;
    /** Maps created without the types they declare, with the kernel's reason. */
    private final List<String> typesRefused = new ArrayList<>();
    private final int possibleCpus;

    KernelMaps(String file, MapSet maps, KernelBtf btf) {
        this.file = file;
        this.maps = maps;
        this.btf = btf;
        this.fds = new int[maps.size()];
        this.rings = new KernelRingBuffer[maps.size()];
        this.perfEvents = new KernelPerfEvents[maps.size()];
        Arrays.fill(fds, -1);
        this.possibleCpus = PossibleCpus.count();
        try {
            for (int i = 0; i < maps.size(); i++) {
                MapDefinition definition = maps.get(i).definition();
                fds[i] = createWithTypes(definition, btf.typesOf(i));
                if (definition.type() == MapType.RINGBUF) {
                    rings[i] = KernelRingBuffer.map(file, definition.name(), fds[i], definition.maxEntries());
                } else if (maps.get(i) instanceof PerfEventArray events) {
                    perfEvents[i] = KernelPerfEvents.open(file, definition.name(), fds[i], events, this, i);
                }
            }
            copyIn();
            for (int i = 0; i < maps.size(); i++) {
                MapDefinition definition = maps.get(i).definition();
                if (definition.isGlobalData() && definition.readOnly()) {
                    // As libbpf does: .rodata is written once, then frozen, so the verifier may treat it as constant.
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
                        attr.set(ValueLayout.JAVA_INT, 0, fds[i]);
                        BpfSyscall.call(BpfSyscall.MAP_FREEZE, attr, "BPF_MAP_FREEZE of '" + definition.name() + "'");
                    }
                }
            }
        } catch (BpfSyscall.Failure e) {
            close();
            throw new BpfError(BpfError.Kind.LOAD, file, "kernel engine: " + e.getMessage());
        }
    }

    int fd(int index) {
        return fds[index];
    }

    int size() {
        return fds.length;
    }

    /** Creates a map with its BTF types when it has any; if the kernel refuses them, again without (as libbpf does). */
    private int createWithTypes(MapDefinition definition, ObjectBtf.MapTypes types) {
        if (!types.any()) {
            return create(definition, ObjectBtf.MapTypes.NONE);
        }
        try {
            return create(definition, types);
        } catch (BpfSyscall.Failure e) {
            int fd = create(definition, ObjectBtf.MapTypes.NONE);
            typesRefused.add(definition.name() + " (" + Errno.describe(e.errno) + ")");
            return fd;
        }
    }

    private int create(MapDefinition definition, ObjectBtf.MapTypes types) {
        if (definition.type().isMapOfMaps()) {
            // As libbpf: the kernel takes the inner template as a map (inner_map_fd), needed only while the
            // outer map is created.
            int template = create(definition.inner(), ObjectBtf.MapTypes.NONE);
            try {
                return create(definition, ObjectBtf.MapTypes.NONE, template);
            } finally {
                BpfSyscall.close(template);
            }
        }
        return create(definition, types, -1);
    }

    private int create(MapDefinition definition, ObjectBtf.MapTypes types, int innerMapFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
            attr.set(ValueLayout.JAVA_INT, 0, definition.type().linuxId());
            attr.set(ValueLayout.JAVA_INT, 4, definition.keySize());
            attr.set(ValueLayout.JAVA_INT, 8, definition.valueSize());
            attr.set(ValueLayout.JAVA_INT, 12, definition.maxEntries());
            int flags = definition.flags();
            if (definition.isGlobalData() && definition.readOnly()) {
                flags |= BPF_F_RDONLY_PROG;
            }
            attr.set(ValueLayout.JAVA_INT, 16, flags);
            if (innerMapFd >= 0) {
                attr.set(ValueLayout.JAVA_INT, 20, innerMapFd);
            }
            byte[] name = kernelName(definition.name());
            MemorySegment.copy(name, 0, attr, ValueLayout.JAVA_BYTE, 28, name.length);
            if (types.any()) {
                attr.set(ValueLayout.JAVA_INT, 48, btf.fd());
                attr.set(ValueLayout.JAVA_INT, 52, types.key());
                attr.set(ValueLayout.JAVA_INT, 56, types.value());
            }
            return (int) BpfSyscall.call(BpfSyscall.MAP_CREATE, attr, "BPF_MAP_CREATE of '" + definition.name() + "'");
        }
    }

    /** The kernel takes up to 15 characters of [A-Za-z0-9_.]. */
    static byte[] kernelName(String name) {
        StringBuilder clean = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (clean.length() == 15) {
                break;
            }
            clean.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        }
        return clean.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean isCopied(MapDefinition definition) {
        // Nor are stack trace maps: the host cannot write stacks, and the kernel engine runs no tracing program that stores them.
        return definition.type() != MapType.PROG_ARRAY && definition.type() != MapType.RINGBUF && definition.type() != MapType.PERF_EVENT_ARRAY
                        && definition.type() != MapType.STACK_TRACE && definition.type() != MapType.CGROUP_ARRAY && !definition.type().isMapOfMaps();
    }

    private static boolean isPerCpu(MapType type) {
        return type == MapType.PERCPU_ARRAY || type == MapType.PERCPU_HASH;
    }

    /** Size of a value buffer for the syscall: per-CPU maps take one 8-aligned value per possible CPU. */
    private int kernelValueSize(MapDefinition definition) {
        return isPerCpu(definition.type()) ? ((definition.valueSize() + 7) & ~7) * possibleCpus : definition.valueSize();
    }

    /**
     * Writes every runtime map's entries into the kernel (hash maps: kernel entries absent in the runtime are
     * deleted); ring buffers get a consumer position that matches what the host has not consumed yet.
     */
    void copyIn() {
        for (int i = 0; i < fds.length; i++) {
            BpfMap map = maps.get(i);
            MapDefinition definition = map.definition();
            if (rings[i] != null) {
                rings[i].trailHostConsumer((RingBuffer) map);
            }
            if (perfEvents[i] != null) {
                perfEvents[i].trailHostConsumer((PerfEventArray) map);
            }
            if (map instanceof MapOfMaps outer) {
                copyInnerMapsIn(i, outer);
                continue;
            }
            if (map instanceof CgroupArray cgroups) {
                copyCgroupsIn(i, cgroups);
                continue;
            }
            if (!isCopied(definition) || definition.isGlobalData() && definition.readOnly() && frozen) {
                continue;
            }
            if (definition.type() == MapType.XSKMAP && !map.keys().isEmpty()) {
                throw new BpfError(BpfError.Kind.RUNTIME, file, "kernel engine: " + map + " has entries, but their AF_XDP sockets are placeholders the kernel cannot take");
            }
            boolean array = definition.type() == MapType.ARRAY || definition.type() == MapType.PERCPU_ARRAY;
            if (!array) {
                for (byte[] key : kernelKeys(i, definition)) {
                    elementCommand(BpfSyscall.MAP_DELETE_ELEM, i, key, null, "BPF_MAP_DELETE_ELEM");
                }
            }
            for (byte[] key : map.keys()) {
                byte[] value = map.get(key);
                if (value == null) {
                    continue;
                }
                byte[] kernelValue = new byte[kernelValueSize(definition)];
                System.arraycopy(value, 0, kernelValue, 0, Math.min(value.length, kernelValue.length));
                elementCommand(BpfSyscall.MAP_UPDATE_ELEM, i, key, kernelValue, "BPF_MAP_UPDATE_ELEM");
            }
        }
        frozen = true;
    }

    private boolean frozen;

    /** Reads every kernel map's entries back into the runtime's maps, and ring buffers' new records into the runtime's rings. */
    void copyOut() {
        for (int i = 0; i < fds.length; i++) {
            BpfMap map = maps.get(i);
            MapDefinition definition = map.definition();
            if (rings[i] != null) {
                rings[i].copyRecordsInto((RingBuffer) map);
            }
            if (perfEvents[i] != null) {
                perfEvents[i].copyRecordsInto((PerfEventArray) map);
            }
            if (!isCopied(definition) || definition.isGlobalData() && definition.readOnly() || definition.type().isRedirectTarget()) {
                // Programs cannot change a redirect target's entries: nothing to copy back.
                continue;
            }
            boolean array = definition.type() == MapType.ARRAY || definition.type() == MapType.PERCPU_ARRAY;
            List<byte[]> keys = kernelKeys(i, definition);
            if (!array) {
                for (byte[] key : map.keys()) {
                    map.delete(key);
                }
            }
            for (byte[] key : keys) {
                byte[] kernelValue = new byte[kernelValueSize(definition)];
                if (elementCommand(BpfSyscall.MAP_LOOKUP_ELEM, i, key, kernelValue, "BPF_MAP_LOOKUP_ELEM") < 0) {
                    continue;
                }
                byte[] value = new byte[map.hostValueSize()];
                System.arraycopy(kernelValue, 0, value, 0, Math.min(value.length, kernelValue.length));
                map.put(key, value, BpfMap.BPF_ANY);
            }
        }
    }

    /**
     * Makes the kernel's map of maps hold what the runtime's does: each entry the fd of the kernel's copy of the
     * same inner map (programs cannot change an outer map, so nothing is copied back).
     */
    private void copyInnerMapsIn(int index, MapOfMaps outer) {
        MapDefinition definition = outer.definition();
        for (byte[] key : kernelKeys(index, definition)) {
            elementCommand(BpfSyscall.MAP_DELETE_ELEM, index, key, null, "BPF_MAP_DELETE_ELEM");
        }
        for (byte[] key : outer.keys()) {
            BpfMap inner = outer.inner(key);
            int innerIndex = inner == null ? -1 : maps.all().indexOf(inner);
            if (inner == null) {
                continue;
            }
            if (innerIndex < 0) {
                throw new BpfError(BpfError.Kind.RUNTIME, file, "kernel engine: " + outer + " holds " + inner
                                + " of another module, which the kernel engine cannot mirror");
            }
            byte[] fd = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(fds[innerIndex]).array();
            elementCommand(BpfSyscall.MAP_UPDATE_ELEM, index, key, fd, "BPF_MAP_UPDATE_ELEM");
        }
    }

    /** Makes the kernel's cgroup array hold what the runtime's does: each slot an fd of the cgroup at the slot's path. */
    private void copyCgroupsIn(int index, CgroupArray cgroups) {
        for (int slot = 0; slot < cgroups.maxEntries(); slot++) {
            byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(slot).array();
            String path = cgroups.cgroup(slot);
            if (path == null) {
                elementCommand(BpfSyscall.MAP_DELETE_ELEM, index, key, null, "BPF_MAP_DELETE_ELEM");
                continue;
            }
            int fd;
            try {
                fd = KernelCgroups.open(path);
            } catch (BpfSyscall.Failure e) {
                throw new BpfError(BpfError.Kind.RUNTIME, file, "kernel engine: " + cgroups + " slot " + slot + ": " + e.getMessage());
            }
            try {
                elementCommand(BpfSyscall.MAP_UPDATE_ELEM, index, key, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(fd).array(), "BPF_MAP_UPDATE_ELEM");
            } finally {
                BpfSyscall.close(fd);
            }
        }
    }

    /** Every key of kernel map {@code index}, by BPF_MAP_GET_NEXT_KEY from no key. */
    private List<byte[]> kernelKeys(int index, MapDefinition definition) {
        List<byte[]> keys = new ArrayList<>();
        byte[] key = null;
        while (true) {
            byte[] next = new byte[definition.keySize()];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
                attr.set(ValueLayout.JAVA_INT, 0, fds[index]);
                if (key != null) {
                    attr.set(ValueLayout.JAVA_LONG, 8, arena.allocateFrom(ValueLayout.JAVA_BYTE, key).address());
                }
                MemorySegment nextSegment = arena.allocate(Math.max(1, next.length));
                attr.set(ValueLayout.JAVA_LONG, 16, nextSegment.address());
                try {
                    BpfSyscall.call(BpfSyscall.MAP_GET_NEXT_KEY, attr, "BPF_MAP_GET_NEXT_KEY");
                } catch (BpfSyscall.Failure e) {
                    if (e.errno == Errno.ENOENT) {
                        return keys;
                    }
                    throw new BpfError(BpfError.Kind.RUNTIME, file, "kernel engine: " + e.getMessage());
                }
                MemorySegment.copy(nextSegment, ValueLayout.JAVA_BYTE, 0, next, 0, next.length);
            }
            keys.add(next);
            key = next;
        }
    }

    /** Lookup (fills {@code value}), update or delete of one element; returns -1 when a lookup finds nothing. */
    private int elementCommand(int command, int index, byte[] key, byte[] value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
            attr.set(ValueLayout.JAVA_INT, 0, fds[index]);
            attr.set(ValueLayout.JAVA_LONG, 8, arena.allocateFrom(ValueLayout.JAVA_BYTE, key).address());
            MemorySegment valueSegment = value == null ? null : arena.allocateFrom(ValueLayout.JAVA_BYTE, value);
            if (valueSegment != null) {
                attr.set(ValueLayout.JAVA_LONG, 16, valueSegment.address());
            }
            try {
                BpfSyscall.call(command, attr, what + " of '" + maps.get(index).name() + "'");
            } catch (BpfSyscall.Failure e) {
                if (e.errno == Errno.ENOENT) {
                    return -1;
                }
                throw new BpfError(BpfError.Kind.RUNTIME, file, "kernel engine: " + e.getMessage());
            }
            if (command == BpfSyscall.MAP_LOOKUP_ELEM) {
                MemorySegment.copy(valueSegment, ValueLayout.JAVA_BYTE, 0, value, 0, value.length);
            }
            return 0;
        }
    }

    /** Puts a perf event's fd into slot {@code slot} of perf event array {@code index}. */
    void setFdSlot(int index, int slot, int fd) {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(slot).array();
        byte[] value = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(fd).array();
        elementCommand(BpfSyscall.MAP_UPDATE_ELEM, index, key, value, "BPF_MAP_UPDATE_ELEM of perf event slot " + slot);
    }

    /** Puts program fd {@code programFd} into slot {@code slot} of prog array {@code index}, or empties the slot when it is -1. */
    void setProgArraySlot(int index, int slot, int programFd) {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(slot).array();
        if (programFd < 0) {
            // An empty slot is already what is wanted (ENOENT): elementCommand answers -1 then.
            elementCommand(BpfSyscall.MAP_DELETE_ELEM, index, key, null, "BPF_MAP_DELETE_ELEM of slot " + slot);
            return;
        }
        byte[] value = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(programFd).array();
        elementCommand(BpfSyscall.MAP_UPDATE_ELEM, index, key, value, "BPF_MAP_UPDATE_ELEM of slot " + slot);
    }

    /**
     * What became of the object's BTF, in one line, with each typed map's BTF id and type ids as the kernel
     * reports them (BPF_OBJ_GET_INFO_BY_FD), so a loaded BTF is seen to be used.
     */
    String btfStatus() {
        if (!btf.present()) {
            return "none: the object has no BTF";
        }
        if (!btf.loaded()) {
            return "refused by the kernel (" + btf.refusal() + "); maps created without key/value types";
        }
        List<String> typed = new ArrayList<>();
        for (int i = 0; i < fds.length; i++) {
            KernelMapInfo info = KernelMapInfo.of(fds[i]);
            if (info.btfId() != 0) {
                typed.add(maps.get(i).name() + " (btf_id " + info.btfId() + ", key type " + info.keyTypeId() + ", value type " + info.valueTypeId() + ")");
            }
        }
        StringBuilder status = new StringBuilder("loaded; maps with types: ").append(typed.isEmpty() ? "none" : String.join(", ", typed));
        if (!typesRefused.isEmpty()) {
            status.append("; types refused by the kernel, created without: ").append(String.join(", ", typesRefused));
        }
        return status.toString();
    }

    @Override
    public void close() {
        for (int i = 0; i < fds.length; i++) {
            if (rings[i] != null) {
                rings[i].close();
                rings[i] = null;
            }
            if (perfEvents[i] != null) {
                perfEvents[i].close();
                perfEvents[i] = null;
            }
            BpfSyscall.close(fds[i]);
            fds[i] = -1;
        }
    }
}
