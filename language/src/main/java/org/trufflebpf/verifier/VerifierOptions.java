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
 */
public record VerifierOptions(Set<Integer> helperIds, Boolean r2AtEntry, int maxInstructions) {

    public VerifierOptions {
        helperIds = Set.copyOf(helperIds);
    }

    /** The helpers every engine provides, no r2 override, the kernel's size limit. */
    public static VerifierOptions defaults() {
        return new VerifierOptions(Helper.ids(), null, Opcodes.MAX_INSNS);
    }

    public VerifierOptions withHelperIds(Set<Integer> ids) {
        return new VerifierOptions(ids, r2AtEntry, maxInstructions);
    }

    public VerifierOptions withR2AtEntry(Boolean set) {
        return new VerifierOptions(helperIds, set, maxInstructions);
    }

    public VerifierOptions withMaxInstructions(int limit) {
        return new VerifierOptions(helperIds, r2AtEntry, limit);
    }

    /** Whether r2 is readable at the entry of a program of this type. */
    public boolean r2SetAtEntry(ProgramType type) {
        return r2AtEntry != null ? r2AtEntry : type == ProgramType.RAW;
    }
}
