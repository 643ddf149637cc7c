package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

/**
 * {@code bpf jit-dump FILE [--program NAME] [--context TYPE]}: loads the file on the native engine and prints each
 * program's x86-64 code (Capstone, Intel syntax) under the BPF instruction it came from, with the prologue, the
 * epilogue and every direct tail call's patch sites and their current state labelled; {@code --stubs} adds the
 * runtime stubs the code calls.
 */
final class JitDumpCommand implements BpfCommand.Subcommand {
    @Override
    public String usage() {
        return "FILE [--program NAME] [--context raw|socket|tc|xdp] [--stubs | --unchecked]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of("--program", "--context"), List.of("--stubs", "--unchecked"));
        Path file = Path.of(arguments.file());
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        Context.Builder builder = Context.newBuilder("bpf").out(out).err(err).option("bpf.Engine", "native");
        if (arguments.option("--context") != null) {
            builder.option("bpf.Context", arguments.option("--context"));
        }
        try (Context context = BpfCommand.buildContext(builder)) {
            Value module = context.eval(RunCommand.source(file));
            boolean unchecked = arguments.flag("--unchecked");
            if (unchecked && arguments.flag("--stubs")) {
                throw new UsageException("--stubs shows the checked code's runtime stubs; unchecked code calls none");
            }
            String member = unchecked ? "uncheckedNativeCode" : arguments.flag("--stubs") ? "nativeCodeWithStubs" : "nativeCode";
            String wanted = arguments.option("--program");
            List<Value> programs = new ArrayList<>();
            if (wanted != null) {
                programs.add(RunCommand.program(module, wanted, file));
            } else {
                for (String key : module.getMemberKeys()) {
                    if (module.getMember(key).canExecute()) {
                        programs.add(module.getMember(key));
                    }
                }
            }
            if (programs.isEmpty()) {
                err.println(file + ": no programs");
                return BpfCommand.EXIT_REJECTED;
            }
            boolean first = true;
            for (Value program : programs) {
                Value code = program.getMember(member);
                if (code.isNull()) {
                    err.println(file + ": program '" + program.getMember("name").asString() + "' is not verified: only verified programs have unchecked code");
                    return BpfCommand.EXIT_REJECTED;
                }
                String which = unchecked ? "unchecked code: the kernel's layout alone, never run through the Polyglot API"
                                : "checked code: what runs";
                out.print((first ? "" : "\n") + "program " + program.getMember("name").asString() + " (" + which + "):\n" + code.asString());
                first = false;
            }
            return 0;
        }
    }
}
