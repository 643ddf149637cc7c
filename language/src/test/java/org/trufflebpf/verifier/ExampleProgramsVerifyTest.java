package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trufflebpf.load.ObjectLoader;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Program;

/**
 * The repository's examples are valid programs: every program of every C object that clang built
 * ({@code examples/c/**.o}) and every assembly example ({@code examples/*.s}) verifies. Clang output is the
 * realistic test that the verifier does not reject valid code (spills, stack buffers passed to helpers,
 * bpf-to-bpf calls, tail calls). Two exceptions: one calls {@code bpf_loop} (helper 181), which the engines do
 * not provide: it is rejected for that, and verifies once the options allow the helper; and
 * {@code line_errors.c}'s two programs are faulty on purpose, to show rejections naming their C lines
 * ({@code unchecked_packet_read}, which reads the packet before any bounds check, at line 28; {@code out_of_bounds}, which reads past its map value, at line 21).
 * The assembly of {@code examples/faulty/} is refused on purpose (the README shows the refusal), each program naming
 * its instruction. The objects of {@code examples/c/loader/} hold refused programs beside good ones on purpose: each program's
 * verdict is checked by {@code LoaderQuirksTest} and {@code ProgramByProgramLoadingTest}.
 */
class ExampleProgramsVerifyTest {
    private static final int BPF_LOOP = 181;

    private static Path examples() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("examples"))) {
                return dir.resolve("examples");
            }
            dir = dir.getParent();
        }
        return null;
    }

    @TestFactory
    Stream<DynamicTest> everyExampleProgramVerifies() throws IOException {
        Path root = examples();
        assumeTrue(root != null, "examples/ not found above " + Path.of("").toAbsolutePath());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".o") || p.toString().endsWith(".s")).sorted().toList();
        }
        return files.stream().flatMap(path -> {
            BpfObject object;
            try {
                object = ObjectLoader.load(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (root.relativize(path).startsWith(Path.of("c", "loader"))) {
                return Stream.empty();
            }
            return object.programs().stream().map(program -> DynamicTest.dynamicTest(root.relativize(path) + " " + program.name(), () -> {
                if (program.code().stream().anyMatch(insn -> insn.isHelperCall() && insn.imm() == BPF_LOOP)) {
                    BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(program));
                    assertTrue(error.getMessage().endsWith("calls helper " + BPF_LOOP + " (bpf_loop), which TruffleBPF does not support"), error.getMessage());
                    Set<Integer> withLoop = new HashSet<>(Helper.ids());
                    withLoop.add(BPF_LOOP);
                    assertTrue(Verifier.verify(program, VerifierOptions.defaults().withHelperIds(withLoop)).isVerified());
                    return;
                }
                if (path.endsWith("line_errors.o")) {
                    BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(program));
                    String line = program.name().equals("unchecked_packet_read") ? "28" : "21";
                    assertTrue(error.getMessage().contains(": line_errors.c:" + line + ": function '" + program.name() + "': "), error.getMessage());
                    return;
                }
                if (root.relativize(path).startsWith("faulty")) {
                    BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(program));
                    assertTrue(error.getMessage().contains(": function '" + program.name() + "': insn "), error.getMessage());
                    return;
                }
                Program verified = Verifier.verify(program);
                assertTrue(verified.isVerified());
            }));
        });
    }
}
