package org.trufflebpf.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;

/**
 * The {@code bpf} command: picks a subcommand and turns every guest or input error into one line on stderr
 * with a non-zero exit. Only internal errors print a stack trace.
 */
public final class BpfCommand {
    /** A subcommand: takes its arguments, prints its output, returns the exit code. */
    interface Subcommand {
        String usage();

        int run(String[] args, PrintStream out, PrintStream err) throws Exception;
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

    private static int usageError(String name, Subcommand command, String message, PrintStream err) {
        err.println("bpf " + name + ": " + message);
        err.println("usage: bpf " + name + " " + command.usage());
        return EXIT_USAGE;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Subcommand> commands = subcommands();
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            err.println("usage: bpf COMMAND [ARGS]");
            commands.forEach((name, command) -> err.println("  bpf " + name + " " + command.usage()));
            return args.length == 0 ? EXIT_USAGE : 0;
        }
        Subcommand command = commands.get(args[0]);
        if (command == null) {
            err.println("bpf: unknown command '" + args[0] + "' (try 'bpf help')");
            return EXIT_USAGE;
        }
        return run(args[0], command, Arrays.copyOfRange(args, 1, args.length), out, err);
    }

    /** Runs {@code command} (named {@code name}), turning what it throws into the exit code and stderr lines. */
    static int run(String name, Subcommand command, String[] args, PrintStream out, PrintStream err) {
        try {
            return command.run(args, out, err);
        } catch (PolyglotException e) {
            if (e.isGuestException()) {
                // Rejected input (syntax errors are guest exceptions too) or a failed run: the language's one line
                // naming the file, place and reason.
                err.println(e.getMessage());
                return EXIT_REJECTED;
            }
            if (e.isHostException() && e.asHostException() instanceof IllegalArgumentException bad) {
                // An option value the language refuses once it reads it (not at build, see buildContext).
                return usageError(name, command, bad.getMessage(), err);
            }
            err.println("bpf: internal error:");
            e.printStackTrace(err);
            return 70;
        } catch (BadInputException e) {
            err.println(e.getMessage());
            return EXIT_REJECTED;
        } catch (UsageException e) {
            return usageError(name, command, e.getMessage(), err);
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
