package org.trufflebpf.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

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
        try {
            return command.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        } catch (PolyglotException e) {
            if (e.isGuestException()) {
                // Rejected input or a failed run: the language's one line naming the file, place and reason.
                err.println(e.getMessage());
                return EXIT_REJECTED;
            }
            err.println("bpf: internal error:");
            e.printStackTrace(err);
            return 70;
        } catch (BadInputException e) {
            err.println(e.getMessage());
            return EXIT_REJECTED;
        } catch (UsageException e) {
            err.println("bpf " + args[0] + ": " + e.getMessage());
            err.println("usage: bpf " + args[0] + " " + command.usage());
            return EXIT_USAGE;
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
