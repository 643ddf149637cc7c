package org.trufflebpf.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.ObjectBtf;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.KernelEngineProvider;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * The kernel engine as the language finds it ({@code META-INF/services}). Whether bpf(2) works is probed once
 * by creating and closing a one-entry array map.
 */
public final class KernelEngineService implements KernelEngineProvider {
    private static volatile String probed;

    /** Made by the language's ServiceLoader. */
    public KernelEngineService() {
    }

    @Override
    public String unavailableReason() {
        String reason = probed;
        if (reason == null) {
            reason = probe();
            probed = reason;
        }
        return reason.isEmpty() ? null : reason;
    }

    /** "" when a map can be created, else why not. */
    private static String probe() {
        String reason = BpfSyscall.unavailableReason();
        if (reason != null) {
            return "kernel engine unavailable: " + reason;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(BpfSyscall.ATTR_SIZE);
            attr.set(ValueLayout.JAVA_INT, 0, 2);
            attr.set(ValueLayout.JAVA_INT, 4, 4);
            attr.set(ValueLayout.JAVA_INT, 8, 4);
            attr.set(ValueLayout.JAVA_INT, 12, 1);
            BpfSyscall.close((int) BpfSyscall.call(BpfSyscall.MAP_CREATE, attr, "bpf(2) BPF_MAP_CREATE"));
            return "";
        } catch (BpfSyscall.Failure e) {
            return "kernel engine unavailable: " + e.getMessage();
        }
    }

    @Override
    public KernelModule open(String sourceName, MapSet maps, ObjectBtf btf, int cpu) {
        return new KernelModuleLoad(sourceName, maps, btf, cpu);
    }

    /**
     * Loads {@code original} in the kernel with its object's BTF (null for none), as the kernel engine loads it;
     * an unusable bpf(2) or a bad map is a BpfError of kind LOAD. Everything is closed afterwards.
     */
    @Override
    public Verdict verify(Program original, ObjectBtf objectBtf) {
        String unavailable = unavailableReason();
        if (unavailable != null) {
            throw new BpfError(BpfError.Kind.LOAD, original.sourceName(), unavailable);
        }
        MapSet maps = MapSet.create(original.maps(), 1, original.sourceName());
        try (KernelBtf btf = KernelBtf.load(objectBtf); KernelMaps kernelMaps = new KernelMaps(original.sourceName(), maps, btf)) {
            String btfStatus = kernelMaps.btfStatus();
            try (KernelProgram loaded = KernelProgram.load(original, kernelMaps, btf)) {
                return new Verdict(true, null, loaded.log(), btfStatus);
            } catch (KernelProgram.KernelRejection rejection) {
                return new Verdict(false, rejection.getMessage(), rejection.log(), btfStatus);
            }
        } finally {
            maps.close();
        }
    }
}
