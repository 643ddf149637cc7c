package org.trufflebpf.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The {@code bpf} command: picks a subcommand, has picocli parse its arguments against the command's spec, and turns
 * every guest or input error into one line on stderr. Exit codes: 0 success, 1 a program or input error (bad file,
 * verifier rejection, run fault, engines that differ), 2 a usage error (unknown option, missing argument); only
 * internal errors print a stack trace (70).
 */
public final class BpfCommand {
    /** A subcommand: declares its options, takes them parsed, prints its output, returns the exit code. */
    interface Subcommand {
        /** The command's options and parameters, for parsing and for {@code bpf COMMAND --help}. */
        CommandSpec spec();

        /** The arguments as picocli is to see them (the conformance runner's own way of passing options, made ordinary). */
        default List<String> preprocess(List<String> args) {
            return args;
        }

        /** Whether the command builds its contexts with the polyglot options ({@code --bpf.*}, ...) given. */
        default boolean takesPolyglotOptions() {
            return true;
        }

        int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception;
    }

    static final int EXIT_USAGE = 2;
    static final int EXIT_REJECTED = 1;

    private static Map<String, Subcommand> subcommands() {
        Map<String, Subcommand> map = new TreeMap<>();
        map.put("bench", new BenchCommand());
        map.put("conformance-plugin", new ConformancePluginCommand());
        map.put("disasm", new DisasmCommand());
        map.put("fuzz", new FuzzCommand());
        map.put("run", new RunCommand());
        map.put("inspect", new InspectCommand());
        map.put("jit-dump", new JitDumpCommand());
        map.put("verify", new VerifyCommand());
        return map;
    }

    /** Builds a command's context; an option value the engine refuses at build (an unknown --context) is a usage error. */
    static Context buildContext(Context.Builder builder) throws UsageException {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static int usageError(String name, String message, PrintStream err) {
        err.println("bpf " + name + ": " + message);
        err.println("try 'bpf " + name + " --help'");
        return EXIT_USAGE;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("-V") || args[0].equals("--version"))) {
            out.println(version());
            return 0;
        }
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            // Asked for, the help goes to stdout; as the answer to no command at all, to stderr with exit 2.
            PrintStream to = args.length == 0 ? err : out;
            to.print(overview());
            return args.length == 0 ? EXIT_USAGE : 0;
        }
        Subcommand command = subcommands().get(args[0]);
        if (command == null) {
            err.println("bpf: unknown command '" + args[0] + "' (try 'bpf --help')");
            return EXIT_USAGE;
        }
        return run(args[0], command, Arrays.copyOfRange(args, 1, args.length), out, err);
    }

    /** The project's version (from the build) and the polyglot API it runs on. */
    static String version() {
        Properties properties = new Properties();
        try (InputStream in = BpfCommand.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // Reported as unknown below.
        }
        return "bpf (TruffleBPF) " + properties.getProperty("version", "unknown version") + ", GraalVM Polyglot API " + org.graalvm.polyglot.Engine.class.getPackage().getImplementationVersion()
                        + ", Java " + Runtime.version();
    }

    /** {@code bpf --help}: the commands with their one-line descriptions, the common options and the exit codes. */
    static String overview() {
        StringBuilder text = new StringBuilder("Usage: bpf COMMAND [OPTIONS] [ARGS]\n       bpf --help | --version\nCommands:\n");
        subcommands().forEach((name, command) -> text.append(String.format("  %-19s %s%n", name, command.spec().usageMessage().description()[0])));
        text.append("""
                        Every command takes --help. Polyglot options go to the engine as in GraalVM's launchers:
                          --bpf.NAME=VALUE, --engine.NAME=VALUE, --log.NAME=VALUE (e.g. --bpf.Verify=false)
                        Exit codes: 0 success, 1 program or input error, 2 usage error.
                        """);
        return text.toString();
    }

    /** Parses {@code args} for {@code command}; null after printing the help it asked for. */
    private static Arguments parse(String name, Subcommand command, String[] args, PrintStream out) throws UsageException {
        Map<String, String> polyglot = new LinkedHashMap<>();
        List<String> rest = Arguments.withoutPolyglotOptions(command.preprocess(List.of(args)), polyglot);
        if (!polyglot.isEmpty() && !command.takesPolyglotOptions()) {
            throw new UsageException("takes no polyglot options (" + String.join(", ", polyglot.keySet()) + ")");
        }
        CommandSpec spec = command.spec();
        // Arguments are what they say: no @file expansion, and the last of a repeated option counts.
        CommandLine line = new CommandLine(spec).setExpandAtFiles(false).setOverwrittenOptionsAllowed(true);
        ParseResult result;
        try {
            result = line.parseArgs(Arguments.optionalValueFlags(rest, spec).toArray(String[]::new));
        } catch (ParameterException e) {
            throw new UsageException(e.getMessage());
        }
        if (result.isUsageHelpRequested()) {
            line.usage(out);
            return null;
        }
        if (result.isVersionHelpRequested()) {
            out.println(version());
            return null;
        }
        return Arguments.of(result, polyglot);
    }

    /** Runs {@code command} (named {@code name}), turning what it throws into the exit code and stderr lines. */
    static int run(String name, Subcommand command, String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments arguments = parse(name, command, args, out);
            return arguments == null ? 0 : command.run(arguments, out, err);
        } catch (PolyglotException e) {
            if (e.isGuestException()) {
                // Rejected input (syntax errors are guest exceptions too) or a failed run: the language's one line
                // naming the file, place and reason.
                err.println(e.getMessage());
                return EXIT_REJECTED;
            }
            if (e.isHostException() && e.asHostException() instanceof IllegalArgumentException bad) {
                // An option value the language refuses once it reads it (not at build, see buildContext).
                return usageError(name, bad.getMessage(), err);
            }
            err.println("bpf: internal error:");
            e.printStackTrace(err);
            return 70;
        } catch (BadInputException e) {
            err.println(e.getMessage());
            return EXIT_REJECTED;
        } catch (UsageException e) {
            return usageError(name, e.getMessage(), err);
        } catch (NoSuchFileException e) {
            err.println(e.getFile() + ": no such file");
            return EXIT_REJECTED;
        } catch (IOException e) {
            err.println("bpf: " + e.getMessage());
            return EXIT_REJECTED;
        } catch (Exception e) {
            err.println("bpf: internal error:");
            e.printStackTrace(err);
            return 70;
        }
    }
}
