package org.trufflebpf.kernel;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * The kernel verifier's verdict on one program as written (before our context rewrite), for {@code bpf verify
 * --kernel}: its maps are created for the load and everything is closed afterwards.
 *
 * @param accepted whether BPF_PROG_LOAD succeeded
 * @param reason   the rejection in one line, or null when accepted
 * @param log      the verifier's whole log (level 1)
 */
public record KernelVerdict(boolean accepted, String reason, String log) {

    /** Loads {@code program} in the kernel; an unusable bpf(2) or a bad map is a BpfError of kind LOAD. */
    public static KernelVerdict of(Program program) {
        String unavailable = new KernelEngineService().unavailableReason();
        if (unavailable != null) {
            throw new BpfError(BpfError.Kind.LOAD, program.sourceName(), unavailable);
        }
        MapSet maps = MapSet.create(program.maps(), 1, program.sourceName());
        try (KernelMaps kernelMaps = new KernelMaps(program.sourceName(), maps)) {
            try (KernelProgram loaded = KernelProgram.load(program, kernelMaps)) {
                return new KernelVerdict(true, null, loaded.log());
            } catch (KernelProgram.KernelRejection rejection) {
                return new KernelVerdict(false, rejection.getMessage(), rejection.log());
            }
        } finally {
            maps.close();
        }
    }
}
