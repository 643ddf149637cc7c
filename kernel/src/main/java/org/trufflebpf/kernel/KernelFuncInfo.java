package org.trufflebpf.kernel;

import java.util.TreeSet;

import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;

/**
 * The func_info of BPF_PROG_LOAD ({@code struct bpf_func_info}: insn_off, BTF FUNC type id, one per function in
 * order). libbpf takes it from {@code .BTF.ext}; ours comes from the linked program, since our linker lays out
 * subprograms itself: function starts by {@link ProgramAnalysis#functionStarts} (the kernel's rule too), each
 * named by the program's symbols, each name's FUNC type from the loaded BTF. The kernel needs it for callbacks
 * ({@code bpf_loop}) and checks global functions on their own with their BTF prototypes, as under libbpf.
 * line_info is not passed: it only makes the kernel's log show source lines.
 */
final class KernelFuncInfo {
    static final int RECORD_BYTES = 8;

    private KernelFuncInfo() {
    }

    /** {insn_off, type_id} pairs, or null when a function has no FUNC type of its name (then no func_info is passed). */
    static int[] of(Program program, KernelBtf btf) {
        if (!btf.loaded()) {
            return null;
        }
        TreeSet<Integer> starts = ProgramAnalysis.functionStarts(program);
        int[] records = new int[2 * starts.size()];
        int i = 0;
        for (int start : starts) {
            String name = start == 0 ? program.name() : program.symbols().get(start);
            int type = name == null ? 0 : btf.functionTypeId(name);
            if (type == 0) {
                return null;
            }
            records[i++] = start;
            records[i++] = type;
        }
        return records;
    }
}
