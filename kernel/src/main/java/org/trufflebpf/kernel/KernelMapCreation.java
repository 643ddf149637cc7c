package org.trufflebpf.kernel;

import static org.trufflebpf.runtime.maps.Errno.name;

import org.trufflebpf.model.MapDefinition;

/** What the kernel's BPF_MAP_CREATE answers for a map definition, to check our create-time rules against. */
public final class KernelMapCreation {
    private KernelMapCreation() {
    }

    /** Null when the kernel creates the map (it is closed at once), else the errno's name. */
    public static String refusal(MapDefinition definition) {
        try {
            BpfSyscall.close(KernelStackTraces.create(definition.type().linuxId(), definition.keySize(), definition.valueSize(), definition.maxEntries(),
                            definition.flags()));
            return null;
        } catch (BpfSyscall.Failure e) {
            return name(-e.errno);
        }
    }
}
