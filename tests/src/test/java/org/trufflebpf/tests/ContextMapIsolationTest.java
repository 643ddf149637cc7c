package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A program names maps only of its own context. Programs hold a map as the address of its native header, and
 * with {@code bpf.Verify=false} a program can put any number in r1 or r2; the address of another context's map
 * (which the host can learn, here from that context's own program) must then be no map at all: the helper stops
 * the run with "r1 is not a map", a tail call with "r2 is not a prog array", and the other context's map keeps
 * every byte. Every pairing of engines, since both share the runtime's maps.
 */
class ContextMapIsolationTest {
    /** Context A: a map with a recognisable value, a prog array whose slot holds a program, and a program that leaks both addresses. */
    private static final String OWNER = """
                    .map secret array key=4 value=8 entries=4
                    .map jumps prog_array key=4 value=4 entries=1
                    .slot jumps 0 secret_target
                    .program map_address raw
                        lddw %r0, map:secret
                        exit
                    .program jumps_address raw
                        lddw %r0, map:jumps
                        exit
                    .program secret_target raw
                        lddw %r0, 0x5ec7e7
                        exit
                    """;

    /**
     * Context B: each program takes an address in r1 and treats it as a map (or prog array). {@code own} names a
     * map of B itself, so the same code is shown to work on a map the program may name.
     */
    private static final String INTRUDER = """
                    .map own array key=4 value=8 entries=4
                    .program lookup raw
                        mov %r6, %r1
                        stw [%r10-4], 1
                        mov %r1, %r6
                        mov %r2, %r10
                        add %r2, -4
                        call map_lookup_elem
                        jeq %r0, 0, miss
                        ldxdw %r0, [%r0+0]
                        exit
                    miss:
                        mov %r0, -1
                        exit
                    .program update raw
                        mov %r6, %r1
                        stw [%r10-4], 1
                        lddw %r1, 0x1111111111111111
                        stxdw [%r10-16], %r1
                        mov %r1, %r6
                        mov %r2, %r10
                        add %r2, -4
                        mov %r3, %r10
                        add %r3, -16
                        mov %r4, 0
                        call map_update_elem
                        exit
                    .program delete raw
                        mov %r6, %r1
                        stw [%r10-4], 1
                        mov %r1, %r6
                        mov %r2, %r10
                        add %r2, -4
                        call map_delete_elem
                        exit
                    .program tail_call raw
                        mov %r2, %r1
                        mov %r3, 0
                        call tail_call
                        mov %r0, 1
                        exit
                    .program own_address raw
                        lddw %r0, map:own
                        exit
                    """;

    static List<Arguments> enginePairs() {
        return List.of(Arguments.of("interpreter", "interpreter"), Arguments.of("native", "native"), Arguments.of("interpreter", "native"),
                        Arguments.of("native", "interpreter"));
    }

    private static Context unverified(String engine) {
        return BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", "false").build();
    }

    @ParameterizedTest(name = "owner {0}, intruder {1}")
    @MethodSource("enginePairs")
    void anotherContextsMapAddressIsNoMapForHelpersNorTailCalls(String ownerEngine, String intruderEngine) {
        try (Context owner = unverified(ownerEngine); Context intruder = unverified(intruderEngine)) {
            Value a = BpfRunner.evalAsm(owner, OWNER, "owner.s");
            Value secret = a.getMember("secret");
            secret.setArrayElement(1, 0x5ec7e7L);
            long secretAddress = a.getMember("map_address").execute().asLong();
            long jumpsAddress = a.getMember("jumps_address").execute().asLong();

            Value b = BpfRunner.evalAsm(intruder, INTRUDER, "intruder.s");
            // The programs are sound: on B's own map they look up, update and delete.
            long ownAddress = b.getMember("own_address").execute().asLong();
            assertEquals(0, b.getMember("lookup").execute(ownAddress).asLong());
            assertEquals(0, b.getMember("update").execute(ownAddress).asLong());
            assertEquals(0x1111111111111111L, b.getMember("lookup").execute(ownAddress).asLong());

            assertRefused(b.getMember("lookup"), secretAddress, "map_lookup_elem: r1 is not a map");
            assertRefused(b.getMember("update"), secretAddress, "map_update_elem: r1 is not a map");
            assertRefused(b.getMember("delete"), secretAddress, "map_delete_elem: r1 is not a map");
            assertRefused(b.getMember("lookup"), jumpsAddress, "map_lookup_elem: r1 is not a map");
            assertRefused(b.getMember("tail_call"), jumpsAddress, "tail_call: r2 is not a prog array");

            assertEquals(0x5ec7e7L, secret.getArrayElement(1).asLong(), "context A's value is untouched");
            for (int i : new int[] {0, 2, 3}) {
                assertEquals(0, secret.getArrayElement(i).asLong(), "context A's entry " + i + " is untouched");
            }
            assertEquals(0x5ec7e7L, a.getMember("jumps").getArrayElement(0).execute().asLong(), "context A's prog array still holds its program");
        }
    }

    @ParameterizedTest(name = "owner {0}, intruder {1}")
    @MethodSource("enginePairs")
    void aClosedContextsMapAddressIsNoMapEither(String ownerEngine, String intruderEngine) {
        long secretAddress;
        try (Context owner = unverified(ownerEngine)) {
            secretAddress = BpfRunner.evalAsm(owner, OWNER, "owner.s").getMember("map_address").execute().asLong();
        }
        try (Context intruder = unverified(intruderEngine)) {
            Value b = BpfRunner.evalAsm(intruder, INTRUDER, "intruder.s");
            long ownAddress = b.getMember("own_address").execute().asLong();
            if (ownAddress != secretAddress) {
                // (When B's map took the freed header's place, that address is B's own map now, as it should be.)
                assertRefused(b.getMember("update"), secretAddress, "map_update_elem: r1 is not a map");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aProgramOfAnotherContextCannotBePutInAProgArraySlot(String engine) {
        try (Context owner = unverified(engine); Context intruder = unverified(engine)) {
            Value a = BpfRunner.evalAsm(owner, OWNER, "owner.s");
            Value b = BpfRunner.evalAsm(intruder, OWNER, "intruder.s");
            Value foreign = b.getMember("secret_target");
            // The Polyglot API hands a value of another context over as a host object, which no slot takes.
            ClassCastException refused = assertThrows(ClassCastException.class, () -> a.getMember("jumps").setArrayElement(0, foreign));
            assertTrue(refused.getMessage().contains("Invalid array value"), refused.getMessage());
            assertEquals(0x5ec7e7L, a.getMember("jumps").getArrayElement(0).execute().asLong());
        }
    }

    static List<String> engines() {
        return List.of("interpreter", "native");
    }

    private static void assertRefused(Value program, long address, String reason) {
        PolyglotException e = assertThrows(PolyglotException.class, () -> program.execute(address));
        assertTrue(e.isGuestException() && !e.isInternalError(), e.toString());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
