package org.trufflebpf.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
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
            PolyglotScenarioPlayer.play(module, scenario.steps(), scenario.name(), PolyglotScenarioPlayer.MAP_ENTRIES);
        }
    }
}
