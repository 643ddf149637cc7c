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
 * @param privileged      whether the loader is privileged (root: CAP_BPF and CAP_PERFMON), as the kernel's
 *                        {@code allow_uninit_stack} and {@code allow_ptr_leaks} say: a load may read stack bytes no
 *                        path wrote (both engines clear a frame when a function enters it, so such a read gives 0),
 *                        and a pointer may become a number the program keeps (stored to a map, returned, passed to
 *                        a helper as a number, compared, subtracted from another). False: an unprivileged loader,
 *                        refused all of these ({@link PointerLeakRules})
 * @param strictAlignment whether every access must be aligned to its size, as the kernel requires with
 *                        BPF_F_STRICT_ALIGNMENT; by default (x86-64, which reads unaligned memory) only stack
 *                        accesses must be, as the kernel always requires of them
 */
public record VerifierOptions(Set<Integer> helperIds, Boolean r2AtEntry, int maxInstructions, boolean privileged, boolean strictAlignment) {

    public VerifierOptions {
        helperIds = Set.copyOf(helperIds);
    }

    /** The helpers every engine provides, no r2 override, the kernel's size limit, a privileged loader's rules. */
    public static VerifierOptions defaults() {
        return new VerifierOptions(Helper.ids(), null, Opcodes.MAX_INSNS, true, false);
    }

    public VerifierOptions withHelperIds(Set<Integer> ids) {
        return new VerifierOptions(ids, r2AtEntry, maxInstructions, privileged, strictAlignment);
    }

    public VerifierOptions withR2AtEntry(Boolean set) {
        return new VerifierOptions(helperIds, set, maxInstructions, privileged, strictAlignment);
    }

    public VerifierOptions withMaxInstructions(int limit) {
        return new VerifierOptions(helperIds, r2AtEntry, limit, privileged, strictAlignment);
    }

    public VerifierOptions withStrictAlignment(boolean strict) {
        return new VerifierOptions(helperIds, r2AtEntry, maxInstructions, privileged, strict);
    }

    public VerifierOptions withPrivileged(boolean set) {
        return new VerifierOptions(helperIds, r2AtEntry, maxInstructions, set, strictAlignment);
    }

    /** Whether r2 is readable at the entry of a program of this type. */
    public boolean r2SetAtEntry(ProgramType type) {
        return r2AtEntry != null ? r2AtEntry : type == ProgramType.RAW;
    }
}
