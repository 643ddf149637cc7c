package org.trufflebpf.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;

/**
 * {@code bpf run FILE [--program NAME] [--data FILE | --packet HEX] [--maps] [--context TYPE]}: loads the file
 * through the Polyglot API, runs one program over the input and prints r0 (and, with {@code --maps}, every map
 * afterwards). A conformance {@code .data} file runs its program over its own {@code -- mem} bytes.
 */
final class RunCommand implements BpfCommand.Subcommand {
    private static final String[] XDP_ACTIONS = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};

    @Override
    public String usage() {
        return "FILE [--program NAME] [--data FILE | --packet HEX] [--maps] [--context raw|socket|tc|xdp] [--tail-call-abi counter-by-value|shared] "
                        + "[--limit N] [--seed N] [--engine interpreter|native|kernel] [--unverified]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of("--program", "--data", "--packet", "--context", "--tail-call-abi", "--limit", "--seed", "--engine"),
                        List.of("--maps", "--unverified"));
        Path file = Path.of(arguments.file());
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (arguments.option("--data") != null && arguments.option("--packet") != null) {
            throw new UsageException("give --data or --packet, not both");
        }
        Context.Builder builder = Context.newBuilder("bpf").out(out).err(err)
                        .allowHostAccess(HostAccess.newBuilder().allowArrayAccess(true).allowBufferAccess(true).build());
        setOption(builder, "bpf.Context", arguments.option("--context"));
        setOption(builder, "bpf.TailCallAbi", arguments.option("--tail-call-abi"));
        setOption(builder, "bpf.InstructionLimit", positiveNumber(arguments.option("--limit"), "--limit"));
        setOption(builder, "bpf.Seed", arguments.option("--seed"));
        setOption(builder, "bpf.Engine", arguments.option("--engine"));
        // Replays programs the laundering fuzzer runs without the verifier (bpf fuzz --launder).
        setOption(builder, "bpf.Verify", arguments.flag("--unverified") ? "false" : null);
        try (Context context = builder.build()) {
            Value module = context.eval(source(file));
            Value program = program(module, arguments.option("--program"), file);
            byte[] data = inputMemory(module);
            if (arguments.option("--data") != null) {
                data = InputFiles.read(Path.of(arguments.option("--data")), InputFiles.MAX_DATA_BYTES, "data");
            } else if (arguments.option("--packet") != null) {
                data = parseHex(arguments.option("--packet"));
            }
            long r0 = (data == null ? program.execute() : program.execute((Object) data)).asLong();
            out.println(describe(r0, program));
            if (arguments.flag("--maps")) {
                printMaps(module, out);
            }
            return 0;
        } catch (PolyglotException e) {
            if (e.isGuestException() || e.isSyntaxError()) {
                err.println(e.getMessage());
                return BpfCommand.EXIT_REJECTED;
            }
            if (e.isHostException() && e.asHostException() instanceof IllegalArgumentException bad) {
                err.println("bpf run: " + bad.getMessage());
                return BpfCommand.EXIT_USAGE;
            }
            throw e;
        } catch (IllegalArgumentException e) {
            // Bad option values (e.g. an unknown --context) are reported by the engine as IllegalArgumentException.
            err.println("bpf run: " + e.getMessage());
            return BpfCommand.EXIT_USAGE;
        }
    }

    /** A number option's text, checked here so that a bad one is a usage error naming the flag. */
    static String positiveNumber(String value, String flag) throws UsageException {
        if (value == null) {
            return null;
        }
        try {
            if (Long.parseLong(value) > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(flag + " takes a positive number, not '" + value + "'");
    }

    private static void setOption(Context.Builder builder, String key, String value) {
        if (value != null) {
            builder.option(key, value);
        }
    }

    /**
     * The file as a source for the language. A file the language has no MIME type for (a conformance {@code .data}
     * file, an unknown extension) goes as bytes under its path, and the language tells the format from them.
     */
    static Source source(Path file) throws IOException, BadInputException {
        String name = file.toString();
        InputFiles.check(file, InputFiles.MAX_PROGRAM_BYTES, "a program");
        if (Source.findMimeType(file.toFile()) == null || !Files.isRegularFile(file)) {
            // No extension we know, or a device or pipe that would be read without end: read here, with the bound.
            return Source.newBuilder("bpf", ByteSequence.create(InputFiles.read(file, InputFiles.MAX_PROGRAM_BYTES, "a program")), name)
                            .mimeType("application/x-bpf").build();
        }
        return Source.newBuilder("bpf", file.toFile()).build();
    }

    /** The bytes a conformance file gives its program ({@code -- mem}), or null. */
    static byte[] inputMemory(Value module) {
        Value memory = module.invokeMember("inputMemory");
        if (memory.isNull()) {
            return null;
        }
        byte[] bytes = new byte[(int) memory.getBufferSize()];
        memory.readBuffer(0, bytes, 0, bytes.length);
        return bytes;
    }

    static Value program(Value module, String wanted, Path file) throws UsageException {
        if (wanted == null) {
            // The first program of the file, as the module itself would run.
            for (String key : module.getMemberKeys()) {
                if (module.getMember(key).canExecute()) {
                    return module.getMember(key);
                }
            }
            throw new UsageException(file + " holds no program");
        }
        if (module.hasMember(wanted) && module.getMember(wanted).canExecute()) {
            return module.getMember(wanted);
        }
        // Else the one program of that section, as libbpf users name programs.
        Value inSection = null;
        for (String key : module.getMemberKeys()) {
            Value candidate = module.getMember(key);
            if (candidate.canExecute() && wanted.equals(candidate.getMember("section").asString())) {
                if (inSection != null) {
                    throw new UsageException(file + ": section '" + wanted + "' holds several programs; name one (programs: " + programNames(module) + ")");
                }
                inSection = candidate;
            }
        }
        if (inSection == null) {
            throw new UsageException(file + " has no program or section named '" + wanted + "' (programs: " + programNames(module) + ")");
        }
        return inSection;
    }

    static String programNames(Value module) {
        StringBuilder names = new StringBuilder();
        for (String key : module.getMemberKeys()) {
            if (module.getMember(key).canExecute()) {
                names.append(names.isEmpty() ? "" : ", ").append(key);
            }
        }
        return names.toString();
    }

    static byte[] parseHex(String text) throws UsageException {
        String digits = text.replaceAll("[\\s:]", "");
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
        }
        try {
            return HexFormat.of().parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--packet wants hex bytes, e.g. 'ffff0000 0800': " + e.getMessage());
        }
    }

    private static String describe(long r0, Value program) {
        String text = String.format("r0 = %d (0x%x)", r0, r0);
        Value type = program.hasMember("type") ? program.getMember("type") : null;
        if (type != null && type.isString() && type.asString().equals("xdp") && r0 >= 0 && r0 < XDP_ACTIONS.length) {
            text += " " + XDP_ACTIONS[(int) r0];
        }
        return text;
    }

    private static void printMaps(Value module, PrintStream out) {
        for (String key : module.getMemberKeys()) {
            Value map = module.getMember(key);
            if (map.hasArrayElements()) {
                out.println("map " + key + ":");
                for (long i = 0; i < map.getArraySize(); i++) {
                    out.println("  [" + i + "] = " + show(map.getArrayElement(i)));
                }
            } else if (map.hasHashEntries()) {
                out.println("map " + key + ": " + map.getHashSize() + " entries");
                Value iterator = map.getHashEntriesIterator();
                while (iterator.hasIteratorNextElement()) {
                    Value entry = iterator.getIteratorNextElement();
                    out.println("  " + show(entry.getArrayElement(0)) + " => " + show(entry.getArrayElement(1)));
                }
            } else if (map.hasMember("consume")) {
                Value records = map.invokeMember("consume");
                out.println("ring buffer " + key + ": " + records.getArraySize() + " records");
                for (long i = 0; i < records.getArraySize(); i++) {
                    out.println("  " + show(records.getArrayElement(i)));
                }
            }
        }
    }

    private static String show(Value value) {
        if (value.isNull()) {
            return "(empty)";
        }
        if (value.isNumber()) {
            long n = value.asLong();
            return String.format(Locale.ROOT, "%d (0x%x)", n, n);
        }
        if (value.hasBufferElements()) {
            byte[] bytes = new byte[(int) value.getBufferSize()];
            value.readBuffer(0, bytes, 0, bytes.length);
            return HexFormat.ofDelimiter(" ").formatHex(bytes);
        }
        if (value.canExecute() && value.hasMember("name")) {
            return "program " + value.getMember("name").asString();
        }
        return value.toString();
    }
}
