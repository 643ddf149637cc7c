package org.trufflebpf.verifier;

import java.util.List;

import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Helper.Argument;

/**
 * What the verifier assumes about a call to helper {@code id}: for a helper of the catalogue ({@link Helper})
 * its argument and result kinds, for any other id that a caller allows (see {@link VerifierOptions}) the
 * cautious default: no argument register is checked, every pointer argument may be written through, and the
 * result is a number. Context, size and prog-array arguments are read but not checked here (the engines check
 * them when the helper runs, and tail-call sites are analysed on their own).
 *
 * @param id     the helper id
 * @param helper its catalogue entry, or null
 */
record HelperSignature(int id, Helper helper) {

    static HelperSignature of(int id) {
        return new HelperSignature(id, Helper.byId(id));
    }

    /** The Linux name, for messages. */
    String name() {
        return helper != null ? helper.linuxName() : "helper " + id;
    }

    private List<Argument> arguments() {
        return helper != null ? helper.arguments() : List.of();
    }

    /** How many of r1..r5 the helper reads; they must be written. */
    int argumentCount() {
        return arguments().size();
    }

    /** The helper may store through a pointer argument (for example into a stack buffer). */
    boolean writesMemory() {
        return helper == null || arguments().contains(Argument.WRITE_BUFFER);
    }

    /** Whether the helper reads argument register {@code register} (1-5) as a number ({@code ARG_ANYTHING}). */
    boolean readsNumber(int register) {
        return register <= arguments().size() && arguments().get(register - 1) == Argument.ANYTHING;
    }

    /** The register that must hold a map reference ({@code lddw map:}), or 0. */
    int mapArgument() {
        return registerOf(Argument.MAP);
    }

    /** The register pointing at a key of the map's key size, or 0. */
    int keyArgument() {
        return registerOf(Argument.MAP_KEY);
    }

    /** The register pointing at a value of the map's value size, or 0. */
    int valueArgument() {
        return registerOf(Argument.MAP_VALUE);
    }

    private int registerOf(Argument kind) {
        return arguments().indexOf(kind) + 1;
    }

    /** Bit r is set when r must hold a pointer to memory (a key, a value, a buffer, a record): a scalar there is refused. */
    int memoryArguments() {
        int mask = 0;
        List<Argument> arguments = arguments();
        for (int i = 0; i < arguments.size(); i++) {
            if (arguments.get(i).isMemory()) {
                mask |= 1 << (i + 1);
            }
        }
        return mask;
    }

    /** Whether r is a buffer whose byte count is in r+1 (a size argument follows it). */
    boolean sizedBuffer(int r) {
        List<Argument> arguments = arguments();
        if (r < 1 || r >= arguments.size()) {
            return false;
        }
        Argument buffer = arguments.get(r - 1);
        boolean isBuffer = buffer == Argument.READ_BUFFER || buffer == Argument.READ_BUFFER_OR_NULL || buffer == Argument.WRITE_BUFFER;
        return isBuffer && (arguments.get(r) == Argument.SIZE || arguments.get(r) == Argument.SIZE_OR_ZERO);
    }

    /** Whether the size argument in r may be 0. */
    boolean zeroSizeAllowed(int r) {
        return arguments().get(r - 1) == Argument.SIZE_OR_ZERO;
    }

    /** Bit r is set when r must hold a pointer to memory or NULL (a constant 0); any other number there is refused. */
    int nullableMemoryArguments() {
        return registersOf(Argument.READ_BUFFER_OR_NULL);
    }

    private int registersOf(Argument kind) {
        int mask = 0;
        List<Argument> arguments = arguments();
        for (int i = 0; i < arguments.size(); i++) {
            if (arguments.get(i) == kind) {
                mask |= 1 << (i + 1);
            }
        }
        return mask;
    }

    /**
     * What r0 holds after the call: a maybe-NULL map value or ring-buffer record, else a number (also after a
     * void helper, whose r0 our engines set to 0, and after a helper without a signature, so that its result
     * cannot be dereferenced).
     */
    Value result() {
        if (helper == null) {
            return Value.UNKNOWN;
        }
        return switch (helper.result()) {
            case MAP_VALUE_OR_NULL -> new Value.MemoryPointer(PointerKind.MAP_VALUE, true);
            case RINGBUF_RECORD_OR_NULL -> new Value.MemoryPointer(PointerKind.RINGBUF_RECORD, true);
            case INTEGER, VOID -> Value.UNKNOWN;
        };
    }

    /**
     * Whether a call may move or rewrite the packet's data, so that pointers into it are stale afterwards: the
     * helpers of the kernel's {@code bpf_helper_changes_pkt_data} that we provide, and any helper outside the
     * catalogue (the verifier cannot tell).
     */
    static boolean movesPacket(int id) {
        Helper known = Helper.byId(id);
        return known == null || switch (known) {
            case XDP_ADJUST_HEAD, XDP_ADJUST_META, XDP_ADJUST_TAIL, SKB_STORE_BYTES, L3_CSUM_REPLACE, L4_CSUM_REPLACE, SKB_CHANGE_TAIL,
                            SKB_CHANGE_HEAD, SKB_VLAN_PUSH, SKB_VLAN_POP, CLONE_REDIRECT -> true;
            default -> false;
        };
    }

    /**
     * Argument registers through which the helper may see a pointer: the declared arguments, or all of r1-r5
     * for a helper we know nothing about.
     */
    int pointerArgumentCount() {
        return helper != null ? argumentCount() : 5;
    }
}
