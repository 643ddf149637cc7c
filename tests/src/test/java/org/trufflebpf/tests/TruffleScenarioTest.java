package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the tail-call scenario files (src/test/resources/tailcall, format in its README) on the Truffle
 * interpreter through the Polyglot API: one context per file, so maps and slots carry over between steps.
 */
class TruffleScenarioTest {

    @TestFactory
    Stream<DynamicTest> tailCallScenariosOnTheInterpreter() throws IOException {
        return Scenario.files("tailcall").stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> run(path)));
    }

    private static void run(Path path) throws IOException {
        Scenario scenario = Scenario.read(path);
        // A small budget keeps the by-value hierarchy case (about 2^34 tail calls) short.
        try (Context context = BpfRunner.contextBuilder().option("bpf.InstructionLimit", "3000000").build()) {
            Value module = context.eval(Source.newBuilder("bpf", Files.readString(path), scenario.name()).mimeType(BpfRunner.ASM_MIME).build());
            int packetBytes = 54;
            for (Scenario.Step step : scenario.steps()) {
                String where = scenario.name() + ":" + step.line();
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
                    case Scenario.Poke p -> poke(module.getMember(p.map()), p.key(), p.value());
                    case Scenario.Expect e -> assertEquals(e.value(), peek(module.getMember(e.map())), where);
                }
            }
        }
    }

    /** Writes a 64-bit little-endian value at offset 0 of an entry, keeping the rest of a wider value. */
    private static void poke(Value map, int key, long value) {
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

    private static long peek(Value map) {
        Value value = map.getArrayElement(0);
        return value.isNumber() ? value.asLong() : value.readBufferLong(java.nio.ByteOrder.LITTLE_ENDIAN, 0);
    }
}
