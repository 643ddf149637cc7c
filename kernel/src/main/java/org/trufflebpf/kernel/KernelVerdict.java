package org.trufflebpf.kernel;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.ObjectBtf;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * The kernel verifier's verdict on one program as written (before our context rewrite), for {@code bpf verify
 * --kernel}: its BTF is loaded and its maps created for the load, and everything is closed afterwards.
 *
 * @param accepted whether BPF_PROG_LOAD succeeded
 * @param reason   the rejection in one line, or null when accepted
 * @param log      the verifier's whole log (level 1)
 * @param btf      what became of the object's BTF, in one line (loaded with each map's types, refused with the
 *                 kernel's reason, or absent)
 */
public record KernelVerdict(boolean accepted, String reason, String log, String btf) {

    /** Loads {@code program} without BTF; an unusable bpf(2) or a bad map is a BpfError of kind LOAD. */
    public static KernelVerdict of(Program program) {
        return of(program, null);
    }

    /** Loads {@code program} with its object's BTF (null for none), as the kernel engine loads it. */
    public static KernelVerdict of(Program program, ObjectBtf objectBtf) {
        String unavailable = new KernelEngineService().unavailableReason();
        if (unavailable != null) {
            throw new BpfError(BpfError.Kind.LOAD, program.sourceName(), unavailable);
        }
        MapSet maps = MapSet.create(program.maps(), 1, program.sourceName());
        try (KernelBtf btf = KernelBtf.load(objectBtf); KernelMaps kernelMaps = new KernelMaps(program.sourceName(), maps, btf)) {
            String btfStatus = kernelMaps.btfStatus();
            try (KernelProgram loaded = KernelProgram.load(program, kernelMaps, btf)) {
                return new KernelVerdict(true, null, loaded.log(), btfStatus);
            } catch (KernelProgram.KernelRejection rejection) {
                return new KernelVerdict(false, rejection.getMessage(), rejection.log(), btfStatus);
            }
        } finally {
            maps.close();
        }
    }
}
