package org.trufflebpf.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bpf conformance-plugin [MEMHEX] [--engine interpreter|native|kernel] [--elf]}: the plugin the public
 * bpf_conformance runner starts once per test. The program comes as hex bytes on stdin (raw instructions, or an
 * ELF object with {@code --elf}; the bytes decide either way), the input memory as hex bytes in the first
 * argument (absent when the test has none); r0 goes to stdout as bare hex, any error to stderr as one line with
 * exit status 1. The runner compares all 64 bits of r0 and, for a failing run, the error text.
 */
final class ConformancePluginCommand implements BpfCommand.Subcommand {
    /** Far beyond the largest test's program (a few hundred instructions); stdin is read no further. */
    static final int MAX_PROGRAM_HEX_CHARS = 8 << 20;
    private final InputStream stdin;

    ConformancePluginCommand() {
        this(System.in);
    }

    ConformancePluginCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public CommandSpec spec() {
        CommandSpec spec = Arguments.command("conformance-plugin",
                        "The bpf_conformance runner's plugin: program hex on stdin, memory hex as argument, r0 printed as bare hex.");
        Arguments.positionals(spec, "MEMHEX", "the test's input memory as hex bytes (none, or empty, when it has none)");
        Arguments.option(spec, "--engine", "interpreter|native|kernel", "the engine to run on");
        Arguments.flag(spec, "--elf", "the bytes on stdin are an ELF object");
        return spec;
    }

    @Override
    public List<String> preprocess(List<String> args) {
        return splitOptionWords(args);
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        String engine = arguments.option("--engine");
        boolean elf = arguments.flag("--elf");
        String memoryHex = String.join(" ", arguments.positional());
        byte[] memory = memoryArgument(memoryHex);
        byte[] program;
        try {
            program = parseHex(readStdin(), "stdin");
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return BpfCommand.EXIT_REJECTED;
        }
        if (program.length == 0) {
            err.println("stdin: no program (expected the program's bytes as hex)");
            return BpfCommand.EXIT_REJECTED;
        }
        if (elf && !(program.length >= 4 && program[0] == 0x7f && program[1] == 'E' && program[2] == 'L' && program[3] == 'F')) {
            err.println("stdin: --elf given but the bytes are not an ELF object (no \\x7fELF magic)");
            return BpfCommand.EXIT_REJECTED;
        }
        Context.Builder builder = arguments.contextBuilder().out(err).err(err);
        if (engine != null) {
            builder.option("bpf.Engine", engine);
        }
        try (Context context = BpfCommand.buildContext(builder)) {
            Source source = Source.newBuilder("bpf", ByteSequence.create(program), "stdin").mimeType("application/x-bpf").build();
            Value module = context.eval(source);
            Value entry = RunCommand.program(module, null, Path.of("stdin"));
            long r0 = (memory == null ? entry.execute() : entry.execute((Object) memory)).asLong();
            out.println(Long.toHexString(r0));
            return 0;
        }
    }

    /**
     * Older runners pass all plugin options as one argument ("--engine native"); newer ones one word each. Split
     * option arguments on white space so both work; the memory argument (hex with spaces) is not an option.
     */
    private static List<String> splitOptionWords(List<String> args) {
        List<String> words = new ArrayList<>();
        for (String arg : args) {
            if (arg.strip().startsWith("--")) {
                words.addAll(List.of(arg.strip().split("\\s+")));
            } else {
                words.add(arg);
            }
        }
        return words;
    }

    /** The memory argument's hex; none or only white space (older runners pass an empty argument) means no memory. */
    private static byte[] memoryArgument(String hex) throws UsageException {
        if (hex.isBlank()) {
            return null;
        }
        try {
            return parseHex(hex, "memory argument");
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private String readStdin() throws IOException {
        byte[] bytes = stdin.readNBytes(MAX_PROGRAM_HEX_CHARS + 1);
        if (bytes.length > MAX_PROGRAM_HEX_CHARS) {
            throw new IllegalArgumentException("stdin: program text longer than " + MAX_PROGRAM_HEX_CHARS + " characters");
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Hex bytes separated by any white space, as the runner writes them ("b7  00  00 ..."); an odd digit count or a non-hex character is an error naming where. */
    static byte[] parseHex(String text, String where) {
        StringBuilder digits = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                continue;
            }
            if (Character.digit(c, 16) < 0) {
                throw new IllegalArgumentException(where + ": '" + c + "' at character " + i + " is not a hex digit");
            }
            digits.append(c);
        }
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException(where + ": odd number of hex digits (" + digits.length() + ")");
        }
        return HexFormat.of().parseHex(digits);
    }
}
