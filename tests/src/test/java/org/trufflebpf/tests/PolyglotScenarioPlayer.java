package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteOrder;
import java.util.List;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/**
 * Plays a scenario's steps ({@link Scenario}) against a module loaded through the Polyglot API, asserting each
 * expectation; the suites for assembly files and for C objects differ only in how {@code poke} and
 * {@code expect} find a variable, which {@link Variables} says.
 */
final class PolyglotScenarioPlayer {
    private PolyglotScenarioPlayer() {
    }

    /** Where the 64-bit variables that {@code poke} writes and {@code expect} reads live. */
    interface Variables {
        void write(Value module, String name, int key, long value, String where);

        long read(Value module, String name, String where);
    }

    /** Assembly scenarios name a map; the variable is the first 8 bytes of an entry. */
    static final Variables MAP_ENTRIES = new Variables() {
        @Override
        public void write(Value module, String name, int key, long value, String where) {
            pokeEntry(module.getMember(name), key, value);
        }

        @Override
        public long read(Value module, String name, String where) {
            Value value = module.getMember(name).getArrayElement(0);
            return value.isNumber() ? value.asLong() : value.readBufferLong(ByteOrder.LITTLE_ENDIAN, 0);
        }
    };

    static void play(Value module, List<Scenario.Step> steps, String file, Variables variables) {
        int packetBytes = 54;
        for (Scenario.Step step : steps) {
            String where = file + ":" + step.line();
            switch (step) {
                case Scenario.Context c -> {
                    if (!c.type().equals("socket")) {
                        fail(where + ": only socket contexts are used by these scenarios");
                    }
                    packetBytes = c.packetBytes();
                }
                case Scenario.Run r -> {
                    Value program = module.getMember(r.program()).invokeMember("withTailCallAbi", r.abi());
                    byte[] packet = new byte[packetBytes];
                    if (r.expectBudgetError()) {
                        PolyglotException e = assertThrows(PolyglotException.class, () -> program.execute(packet), where);
                        assertTrue(e.getMessage().contains("execution budget"), where + ": " + e.getMessage());
                    } else {
                        assertEquals(r.expected().longValue(), program.execute(packet).asLong(), where);
                    }
                }
                case Scenario.Delete d -> {
                    Value map = module.getMember(d.map());
                    if (d.expectMissing()) {
                        assertThrows(PolyglotException.class, () -> map.removeArrayElement(d.key()), where);
                    } else {
                        assertTrue(map.removeArrayElement(d.key()), where);
                    }
                }
                case Scenario.Set s -> module.getMember(s.map()).setArrayElement(s.key(), module.getMember(s.program()));
                case Scenario.Poke p -> variables.write(module, p.map(), p.key(), p.value(), where);
                case Scenario.Expect e -> assertEquals(e.value(), variables.read(module, e.map(), where), where);
            }
        }
    }

    /** Writes a 64-bit little-endian value at offset 0 of an entry, keeping the rest of a wider value. */
    static void pokeEntry(Value map, int key, long value) {
        Value current = map.getArrayElement(key);
        if (current.isNumber()) {
            map.setArrayElement(key, value);
            return;
        }
        byte[] bytes = new byte[(int) current.getBufferSize()];
        current.readBuffer(0, bytes, 0, bytes.length);
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        map.setArrayElement(key, bytes);
    }
}
