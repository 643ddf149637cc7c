package org.trufflebpf.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.trufflebpf.elf.BtfTypes;
import org.trufflebpf.model.ObjectBtf;

/**
 * An object's BTF in the kernel (BPF_BTF_LOAD), which maps refer to for their key and value types and programs
 * for their functions ({@link KernelFuncInfo}). A refusal is
 * not an error: the module is then created without types, as libbpf retries without BTF, and {@link #refusal()}
 * keeps the kernel's reason.
 */
final class KernelBtf implements AutoCloseable {
    /** Room for the BTF verifier's log of a refusal; its last line is the reason. */
    private static final int LOG_SIZE = 64 << 10;

    private final ObjectBtf btf;
    private int fd;
    private final String refusal;
    /** FUNC type ids by function name (absent when two share a name), for func_info. */
    private final Map<String, Integer> functions = new HashMap<>();

    private KernelBtf(ObjectBtf btf, int fd, String refusal) {
        this.btf = btf;
        this.fd = fd;
        this.refusal = refusal;
        if (fd >= 0) {
            BtfTypes types = BtfTypes.parse(btf.data(), "BTF");
            Set<String> shared = new HashSet<>();
            for (int id = 1; id <= types.count(); id++) {
                if (types.kind(id) == BtfTypes.Kind.FUNC && functions.put(types.name(id), id) != null) {
                    shared.add(types.name(id));
                }
            }
            functions.keySet().removeAll(shared);
        }
    }

    /** Loads {@code btf}; null gives an absent BTF. */
    static KernelBtf load(ObjectBtf btf) {
        if (btf == null) {
            return new KernelBtf(null, -1, null);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, btf.data());
            MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
            attr.set(ValueLayout.JAVA_LONG, 0, data.address());
            attr.set(ValueLayout.JAVA_INT, 16, btf.data().length);
            try {
                return new KernelBtf(btf, (int) BpfSyscall.call(BpfSyscall.BTF_LOAD, attr, "BPF_BTF_LOAD"), null);
            } catch (BpfSyscall.Failure first) {
                // As libbpf: the log only when it failed, from a second load that keeps it.
                MemorySegment log = arena.allocate(LOG_SIZE);
                attr.set(ValueLayout.JAVA_LONG, 8, log.address());
                attr.set(ValueLayout.JAVA_INT, 20, LOG_SIZE);
                attr.set(ValueLayout.JAVA_INT, 24, 1);
                try {
                    // Accepted this time after all: keep it.
                    return new KernelBtf(btf, (int) BpfSyscall.call(BpfSyscall.BTF_LOAD, attr, "BPF_BTF_LOAD"), null);
                } catch (BpfSyscall.Failure again) {
                    String reason = KernelLog.reason(log.getString(0));
                    return new KernelBtf(btf, -1, first.getMessage() + (reason == null ? "" : ": " + reason));
                }
            }
        }
    }

    /** Whether maps can refer to this BTF. */
    boolean loaded() {
        return fd >= 0;
    }

    int fd() {
        return fd;
    }

    /** The key and value types of map {@code index}, NONE without a loaded BTF. */
    ObjectBtf.MapTypes typesOf(int index) {
        return loaded() ? btf.typesOf(index) : ObjectBtf.MapTypes.NONE;
    }

    /** The FUNC type id of the function with this name in the loaded BTF, or 0. */
    int functionTypeId(String name) {
        return functions.getOrDefault(name, 0);
    }

    /** Whether the object has BTF at all. */
    boolean present() {
        return btf != null;
    }

    /** Why the kernel refused the BTF (its errno and the BTF log's last line), or null. */
    String refusal() {
        return refusal;
    }

    @Override
    public void close() {
        BpfSyscall.close(fd);
        fd = -1;
    }
}
