package org.trufflebpf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** How strictly outcomes must agree: everything, except what depends on where each context's memory lies. */
class OutcomeTest {
    private static final String AT = "p.s: function 'main': insn 7 'stxb [%r4+24], %r2': ";

    private static Outcome failure(String message) {
        return new Outcome(null, "runtime", message, null, Map.of(), "", -1);
    }

    @Test
    void addressesInErrorsAreMasked() {
        assertTrue(Outcome.sameError(AT + "write of 1 bytes at 0x7f4384814750: not memory the program may access",
                        AT + "write of 1 bytes at 0x7f4384751050: not memory the program may access"));
        assertFalse(Outcome.sameError(AT + "write of 1 bytes at 0x1000: x", AT + "write of 1 bytes at 0x2000: x"), "short numbers are not addresses");
    }

    @Test
    void anAccessThroughAPointerTruncatedTo32BitsComparesMasked() {
        assertTrue(Outcome.sameError(AT + "read of 8 bytes at 0xa84e29e8: not memory the program may access",
                        AT + "read of 8 bytes at 0xb03fcbe0: not memory the program may access"));
        assertFalse(Outcome.sameError(AT + "read of 8 bytes at 0xa84e29e8: not memory the program may access",
                        AT + "read of 4 bytes at 0xb03fcbe0: not memory the program may access"));
    }

    @Test
    void theNearestMapIsLayoutButTheRunsOwnRegionsMustAgreeOnTheOffset() {
        String arr = AT + "write of 1 bytes at map 'arr'+320 is out of bounds: map 'arr' is 32 bytes";
        String data = AT + "write of 1 bytes at map '.data'+32 is out of bounds: map '.data' is 32 bytes";
        String nothing = AT + "write of 1 bytes at 0x7f4384751050: not memory the program may access";
        assertTrue(Outcome.sameError(arr, data));
        assertTrue(Outcome.sameError(arr, arr.replace("+320", "+328")), "entries of a hash map lie anywhere");
        assertTrue(Outcome.sameError(arr, nothing));
        assertTrue(Outcome.sameError(nothing, arr));
        assertFalse(Outcome.sameError(nothing, nothing.replace("insn 7", "insn 8")));
        assertFalse(Outcome.sameError(arr, data.replace("insn 7", "insn 8")));
        assertFalse(Outcome.sameError(arr, data.replace("write of 1", "write of 2")));
        String packet = AT + "write of 1 bytes at packet-8 is out of bounds: packet is 128 bytes";
        assertFalse(Outcome.sameError(packet, packet.replace("-8", "-9")));
        assertFalse(Outcome.sameError(packet, packet.replace("packet", "stack")), "the run's own regions lie alike for both engines");
        assertTrue(Outcome.sameError(packet, arr), "a map entry may lie nearer in one context");
    }

    @Test
    void everyFieldThatDiffersIsNamed() {
        Outcome a = new Outcome(1L, null, null, new byte[] {1}, Map.of("m", List.of("1")), "a", 10);
        Outcome b = new Outcome(2L, null, null, new byte[] {2}, Map.of("m", List.of("2")), "b", 11);
        assertEquals(List.of("r0", "memory", "map m", "output", "executed"), Outcome.fieldsOf(a.differences(b)));
        assertEquals(List.of(), a.differences(a));
        assertEquals(List.of("r0", "error"), Outcome.fieldsOf(new Outcome(0L, null, null, null, Map.of(), "", 3).differences(failure("x"))));
    }
}
