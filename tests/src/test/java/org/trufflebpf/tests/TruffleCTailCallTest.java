package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.elf.ElfLoader;
import org.trufflebpf.elf.GlobalVariable;

/**
 * The kernel's tail-call tests as C programs (examples/c/tailcall, scenario in {@code // #>} lines of each
 * source) loaded from their ELF objects, verified, and run on the Truffle interpreter through the Polyglot API.
 */
class TruffleCTailCallTest {

    private static Path folder() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("examples/c/tailcall"))) {
            dir = dir.getParent();
        }
        return dir == null ? null : dir.resolve("examples/c/tailcall");
    }

    @TestFactory
    Stream<DynamicTest> cTailCallTestsOnTheInterpreter() throws IOException {
        Path folder = folder();
        Assumptions.assumeTrue(folder != null, "examples/c/tailcall not found");
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> sources = files.filter(p -> p.toString().endsWith(".c")).sorted().toList();
            return sources.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> run(c)));
        }
    }

    private static List<Scenario.Step> steps(Path source) throws IOException {
        List<Scenario.Step> steps = new ArrayList<>();
        List<String> lines = Files.readAllLines(source);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.startsWith("// #>")) {
                steps.add(Scenario.parseStep(line.substring(5).trim(), i + 1, source.getFileName().toString()));
            }
        }
        return steps;
    }

    private static void run(Path cSource) throws IOException {
        String objectName = cSource.getFileName().toString().replace(".c", ".o");
        Path object = cSource.resolveSibling(objectName);
        byte[] bytes = Files.readAllBytes(object);
        List<GlobalVariable> globals = ElfLoader.globalVariables(bytes, objectName);
        List<Scenario.Step> steps = steps(cSource);
        assertTrue(!steps.isEmpty(), "no scenario in " + cSource);
        try (Context context = BpfRunner.contextBuilder().option("bpf.InstructionLimit", "3000000").build()) {
            Value module = context.eval(Source.newBuilder("bpf", ByteSequence.create(bytes), objectName).mimeType("application/x-elf").build());
            PolyglotScenarioPlayer.play(module, steps, cSource.getFileName().toString(), new PolyglotScenarioPlayer.Variables() {
                @Override
                public void write(Value m, String name, int key, long value, String where) {
                    writeGlobal(m, global(globals, name, where), value);
                }

                @Override
                public long read(Value m, String name, String where) {
                    return readGlobal(m, global(globals, name, where));
                }
            });
        }
    }

    private static GlobalVariable global(List<GlobalVariable> globals, String name, String where) {
        return globals.stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(where + ": no global " + name));
    }

    private static byte[] section(Value map) {
        Value value = map.getArrayElement(0);
        if (value.isNumber()) {
            long n = value.asLong();
            byte[] bytes = new byte[8];
            for (int i = 0; i < 8; i++) {
                bytes[i] = (byte) (n >>> (8 * i));
            }
            return bytes;
        }
        byte[] bytes = new byte[(int) value.getBufferSize()];
        value.readBuffer(0, bytes, 0, bytes.length);
        return bytes;
    }

    private static long readGlobal(Value module, GlobalVariable global) {
        byte[] bytes = section(module.getMember(global.mapName()));
        long value = 0;
        for (int i = global.size() - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[global.offset() + i] & 0xff);
        }
        return value;
    }

    private static void writeGlobal(Value module, GlobalVariable global, long value) {
        Value map = module.getMember(global.mapName());
        Value current = map.getArrayElement(0);
        if (current.isNumber()) {
            long n = current.asLong();
            long mask = global.size() == 8 ? -1L : ((1L << (8 * global.size())) - 1) << (8 * global.offset());
            map.setArrayElement(0, (n & ~mask) | ((value << (8 * global.offset())) & mask));
            return;
        }
        byte[] bytes = section(map);
        for (int i = 0; i < global.size(); i++) {
            bytes[global.offset() + i] = (byte) (value >>> (8 * i));
        }
        map.setArrayElement(0, bytes);
    }
}
