package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;

/**
 * As the kernel (get_constant_map_key): a lookup in an array (or per-CPU array) whose key is made of bytes that
 * hold 0 on every path always finds entry 0, so its result needs no NULL check; any other key, map type or a key
 * byte not known to be 0 leaves the result maybe-NULL.
 */
class ArrayLookupNullnessTest {
    private static String lookup(String map, String keyStores) {
        return """
                        .map arr array key=4 value=8 entries=4
                        .map pcpu percpu_array key=4 value=8 entries=4
                        .map h hash key=4 value=8 entries=4
                        """ + keyStores + "\n" + """
                        mov %r2, %r10
                        add %r2, -4
                        lddw %r1, map:""" + map + """

                        call map_lookup_elem
                        ldxdw %r0, [%r0]
                        exit""";
    }

    private static Program verify(String text) {
        return Verifier.verify(Assembler.assembleProgram(text, "prog.s"));
    }

    private static void assertMaybeNull(String text) {
        BpfError error = assertThrows(BpfError.class, () -> verify(text));
        assertTrue(error.getMessage().endsWith("R0 invalid mem access 'map_value_or_null'"), error.getMessage());
    }

    @Test
    void arrayLookupWithAZeroKeyNeedsNoNullCheckAndItsAccessIsProven() {
        Program verified = verify(lookup("arr", "stw [%r10-4], 0"));
        assertTrue(verified.analysis().isProvenAccess(verified.code().get(verified.code().size() - 2).index()), "the load through the result is proven");
        verify(lookup("pcpu", "mov %r3, 0\nstxw [%r10-4], %r3"));
        verify(lookup("arr", "stdw [%r10-8], 0"));
        verify(lookup("arr", "sth [%r10-4], 0\nstb [%r10-2], 0\nstb [%r10-1], 0"));
    }

    @Test
    void otherKeysMapsAndKeysNotZeroOnEveryPathLeaveTheResultMaybeNull() {
        assertMaybeNull(lookup("arr", "stw [%r10-4], 1"));
        assertMaybeNull(lookup("h", "stw [%r10-4], 0"));
        assertMaybeNull(lookup("arr", "sth [%r10-4], 0\nstb [%r10-2], 0"));
        assertMaybeNull(lookup("arr", "stw [%r10-4], 0\nstb [%r10-3], 7"));
        assertMaybeNull(lookup("arr", "mov %r3, 0\njeq %r1, 0, +1\nmov %r3, 1\nstxw [%r10-4], %r3"));
        // Zero bytes that a later store through a pointer that is the key's address on one path has changed.
        assertMaybeNull(lookup("arr", "stw [%r10-4], 0\nstw [%r10-16], 0\nmov %r2, %r10\nadd %r2, -16\nlddw %r1, map:arr\ncall map_lookup_elem\n"
                        + "ldxw %r5, [%r0]\nmov %r4, %r10\nadd %r4, -4\njeq %r5, 0, +1\nmov %r4, %r0\nstw [%r4], 3"));
    }

    @Test
    void aNullCheckOfAValueKnownNotNullNeverTakesTheNullEdge() {
        // The access past the value's end lies on the edge where r0 is NULL, which cannot happen: not followed.
        verify("""
                        .map arr array key=4 value=8 entries=4
                        stw [%r10-4], 0
                        mov %r2, %r10
                        add %r2, -4
                        lddw %r1, map:arr
                        call map_lookup_elem
                        jne %r0, 0, +2
                        ldxdw %r0, [%r0+100]
                        exit
                        ldxdw %r0, [%r0]
                        exit""");
        // With a key not known, the NULL edge is followed, and there r0 is the number 0.
        BpfError error = assertThrows(BpfError.class,
                        () -> verify(lookup("arr", "stw [%r10-4], 2").replace("ldxdw %r0, [%r0]", "jne %r0, 0, +1\nldxdw %r0, [%r0+100]")));
        assertTrue(error.getMessage().endsWith("R0 invalid mem access 'scalar'"), error.getMessage());
    }
}
