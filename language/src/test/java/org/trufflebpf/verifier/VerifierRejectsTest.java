package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;

/**
 * Every rule of the verifier, each shown by a program it rejects and the exact one-line error: file, function,
 * instruction index, the instruction as disassembled, and the reason.
 *
 * <p>The programs are the {@code .s} files under {@code src/test/resources/verifier_rejects}, one folder per
 * group of rules, one file per rule. A file starts with its expected message, {@code # error: MESSAGE}, and,
 * where the rule depends on the verifier's options, {@code # max-instructions: N}, {@code # helpers: ID, ...} or
 * {@code # unprivileged} (reads of unwritten stack bytes refused, as the kernel refuses them to a loader without
 * CAP_PERFMON). A program that another test runs too stays in that test's file, named by {@code # program: PATH}
 * (from the repository root) in place of the instructions.
 * Each is assembled as {@code prog.s}, so messages name that file and the default function {@code prog}.
 * The few programs the assembler cannot write (they are built in memory) are listed in {@link #builtInMemory}.
 */
class VerifierRejectsTest {
    private static final Path CASES = Path.of("src/test/resources/verifier_rejects");
    private static final String ERROR = "# error: ";
    private static final String MAX_INSTRUCTIONS = "# max-instructions: ";
    private static final String HELPERS = "# helpers: ";
    private static final String PROGRAM = "# program: ";
    /** What a {@code # program:} path is relative to: the repository, above this module. */
    private static final Path REPOSITORY = Path.of("..");
    /** Rules of an unprivileged loader: stack bytes no path wrote may not be read. */
    private static final String UNPRIVILEGED = "# unprivileged";

    /** One rejected program: the rule it breaks, how to build it, the options, and the full message. */
    record Case(String rule, Supplier<Program> program, VerifierOptions options, String message) {
        @Override
        public String toString() {
            return rule;
        }
    }

    static Stream<Case> rejected() {
        return Stream.concat(files().stream().map(VerifierRejectsTest::read), builtInMemory());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithTheExactMessage(Case c) {
        Program program = c.program().get();
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(program, c.options()));
        assertEquals(BpfError.Kind.VERIFY, error.kind());
        assertEquals(c.message(), error.getMessage());
    }

    /** The case files, sorted, so that the report lists them folder by folder. */
    private static List<Path> files() {
        try (Stream<Path> walk = Files.walk(CASES)) {
            return walk.filter(p -> p.toString().endsWith(".s")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Case read(Path file) {
        String text = readString(file);
        String message = null;
        VerifierOptions options = VerifierOptions.defaults();
        String source = text;
        for (String line : text.lines().toList()) {
            if (line.startsWith(ERROR)) {
                message = line.substring(ERROR.length());
            } else if (line.startsWith(MAX_INSTRUCTIONS)) {
                options = options.withMaxInstructions(Integer.parseInt(line.substring(MAX_INSTRUCTIONS.length()).trim()));
            } else if (line.startsWith(HELPERS)) {
                Set<Integer> ids = Arrays.stream(line.substring(HELPERS.length()).split(",")).map(String::trim).map(Integer::valueOf)
                                .collect(Collectors.toSet());
                options = options.withHelperIds(ids);
            } else if (line.startsWith(PROGRAM)) {
                source = readString(REPOSITORY.resolve(line.substring(PROGRAM.length()).trim()));
            } else if (line.trim().equals(UNPRIVILEGED)) {
                options = options.withPrivileged(false);
            }
        }
        if (message == null) {
            throw new IllegalStateException(file + ": no '" + ERROR.trim() + "' line");
        }
        String rule = CASES.relativize(file).toString().replaceFirst("\\.s$", "").replace('_', ' ');
        String program = source;
        return new Case(rule, () -> Assembler.assembleProgram(program, "prog.s"), options, message);
    }

    /** Programs the assembler refuses to write, so the verifier's own checks are reached only by building them. */
    private static Stream<Case> builtInMemory() {
        List<Instruction> tooLong = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            tooLong.add(Instruction.of(0xb7, 0, 0, 0, 0).at(i));
        }
        tooLong.add(Instruction.of(0x95, 0, 0, 0, 0).at(1_000_000));
        Instruction exitAt1 = Instruction.of(0x95, 0, 0, 0, 0).at(1);
        return Stream.of(
            built("empty program", List.of(),
                "prog.s: function 'prog': program has no instructions"),
            built("more than 1,000,000 instructions", tooLong,
                "prog.s: function 'prog': program has 1000001 instructions, more than the limit of 1000000"),
            built("unknown opcode built in memory", List.of(Instruction.of(0xe7, 0, 0, 0, 0).at(0), exitAt1),
                "prog.s: function 'prog': insn 0 '.insn 0x00000000000000e7': unknown opcode 0xe7"),
            built("register above r10 built in memory", List.of(Instruction.of(0xb7, 11, 0, 0, 1).at(0), exitAt1),
                "prog.s: function 'prog': insn 0 'mov %r11, 1': invalid destination register r11"),
            built("slot indexes with a gap", List.of(Instruction.of(0xb7, 0, 0, 0, 0).at(0), Instruction.of(0x95, 0, 0, 0, 0).at(2)),
                "prog.s: function 'prog': insn 2 'exit': instruction is at slot 2, expected slot 1"),
            built("map reference to a map the program does not have", List.of(Instruction.lddw(1, 1, 3).at(0),
                    Instruction.of(0xb7, 0, 0, 0, 0).at(2), Instruction.of(0x95, 0, 0, 0, 0).at(3)),
                "prog.s: function 'prog': insn 0 'lddw %r1, map:3': refers to map 3, but the program has 0 maps"));
    }

    private static Case built(String rule, List<Instruction> code, String message) {
        return new Case("built in memory/" + rule, () -> Program.of("prog", ProgramType.RAW, code, List.of(), "prog.s"),
                        VerifierOptions.defaults(), message);
    }
}
