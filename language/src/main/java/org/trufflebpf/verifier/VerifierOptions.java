package org.trufflebpf.verifier;

import java.util.Set;

import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.ProgramType;

/**
 * What the verifier accepts beyond the fixed rules.
 *
 * @param helperIds       helper ids a program may call; a call to any other id is rejected
 * @param r2AtEntry       whether r2 holds a value when the program starts; null means "as the program type
 *                        says" (raw-memory programs get r2 = length of their bytes)
 * @param maxInstructions the program-size limit in 8-byte slots
 * @param unwrittenStackReads whether a load may read stack bytes no path wrote, as the kernel allows a privileged
 *                        loader ({@code allow_uninit_stack}, CAP_PERFMON): both engines clear a frame when a
 *                        function enters it, so such a read gives 0. False: refused, as for an unprivileged loader.
 * @param strictAlignment whether every access must be aligned to its size, as the kernel requires with
 *                        BPF_F_STRICT_ALIGNMENT; by default (x86-64, which reads unaligned memory) only stack
 *                        accesses must be, as the kernel always requires of them
 */
public record VerifierOptions(Set<Integer> helperIds, Boolean r2AtEntry, int maxInstructions, boolean unwrittenStackReads, boolean strictAlignment) {

    public VerifierOptions {
        helperIds = Set.copyOf(helperIds);
    }

    /** The helpers every engine provides, no r2 override, the kernel's size limit, a privileged loader's stack rule. */
    public static VerifierOptions defaults() {
        return new VerifierOptions(Helper.ids(), null, Opcodes.MAX_INSNS, true, false);
    }

    public VerifierOptions withHelperIds(Set<Integer> ids) {
        return new VerifierOptions(ids, r2AtEntry, maxInstructions, unwrittenStackReads, strictAlignment);
    }

    public VerifierOptions withR2AtEntry(Boolean set) {
        return new VerifierOptions(helperIds, set, maxInstructions, unwrittenStackReads, strictAlignment);
    }

    public VerifierOptions withMaxInstructions(int limit) {
        return new VerifierOptions(helperIds, r2AtEntry, limit, unwrittenStackReads, strictAlignment);
    }

    public VerifierOptions withStrictAlignment(boolean strict) {
        return new VerifierOptions(helperIds, r2AtEntry, maxInstructions, unwrittenStackReads, strict);
    }

    public VerifierOptions withUnwrittenStackReads(boolean allowed) {
        return new VerifierOptions(helperIds, r2AtEntry, maxInstructions, allowed, strictAlignment);
    }

    /** Whether r2 is readable at the entry of a program of this type. */
    public boolean r2SetAtEntry(ProgramType type) {
        return r2AtEntry != null ? r2AtEntry : type == ProgramType.RAW;
    }
}
