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
     * Argument registers through which the helper may see a pointer: the declared arguments, or all of r1-r5
     * for a helper we know nothing about.
     */
    int pointerArgumentCount() {
        return helper != null ? argumentCount() : 5;
    }
}
