package org.trufflebpf.verifier;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.trufflebpf.model.Instruction;

/**
 * The loads at the offset and size of a context pointer field ({@code data}, {@code data_end}, {@code data_meta})
 * and what they read through, wherever the context went: passed to a subprogram, copied, spilled and filled.
 * Those that read the context are the loads the engines rewrite into loads of the real pointers
 * ({@link org.trufflebpf.runtime.ContextRewriter}), as the kernel's {@code convert_ctx_accesses} does from the
 * pointer type it recorded per instruction. As in the kernel, one instruction must read through one kind of
 * pointer on every path and from every call site: otherwise it could be neither rewritten nor left alone.
 */
final class ContextFieldLoads {
    private final Rejections reject;
    /** Instruction index → the kind seen first, for loads through a pointer of known kind. */
    private final Map<Integer, PointerKind> kinds = new HashMap<>();

    ContextFieldLoads(Rejections reject) {
        this.reject = reject;
    }

    /**
     * A checked load of a pointer field's offset through {@code register}, a pointer of {@code kind}.
     *
     * @param kindsKnown whether the function's arguments have the kinds its callers pass, so that a pointer of
     *                   unknown kind comes from pointers of different kinds meeting (and the kernel would see
     *                   them apart and refuse); else unknown kinds are assumed, and such a load is left alone
     */
    void note(String function, Instruction insn, int register, PointerKind kind, boolean kindsKnown) {
        if (kind == PointerKind.ANY) {
            if (kindsKnown) {
                throw reject.at(function, insn, "R" + register + " is the context on some paths and another pointer on others: "
                                + "same insn cannot be used with different pointers");
            }
            return;
        }
        PointerKind earlier = kinds.putIfAbsent(insn.index(), kind);
        if (earlier != null && earlier != kind && (earlier == PointerKind.CONTEXT || kind == PointerKind.CONTEXT)) {
            throw reject.at(function, insn, "R" + register + " is the context on some paths and " + (earlier == PointerKind.CONTEXT ? kind : earlier).kernelName
                            + " on others: same insn cannot be used with different pointers");
        }
    }

    /** Indexes of the loads that read the context, to be rewritten. */
    Set<Integer> throughContext() {
        Set<Integer> result = new TreeSet<>();
        kinds.forEach((index, kind) -> {
            if (kind == PointerKind.CONTEXT) {
                result.add(index);
            }
        });
        return result;
    }
}
