package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bpf jit-dump FILE [--program NAME] [--context TYPE]}: loads the file on the native engine and prints each
 * program's x86-64 code (Capstone, Intel syntax) under the BPF instruction it came from, with the prologue, the
 * epilogue and every direct tail call's patch sites and their current state labelled; {@code --stubs} adds the
 * runtime stubs the code calls.
 */
final class JitDumpCommand implements BpfCommand.Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Arguments.command("jit-dump", "Prints the native engine's x86-64 code under each BPF instruction (Capstone).");
        Arguments.positional(spec, "FILE", "the program file");
        Arguments.option(spec, "--program", "NAME", "only this program (by name, or by section when that is unique)");
        Arguments.option(spec, "--context", "raw|socket|tc|xdp", "the program's context type");
        Arguments.flag(spec, "--stubs", "also the runtime stubs the code calls");
        Arguments.flag(spec, "--unchecked", "the kernel's layout without run-time checks (verified programs only; never run through the Polyglot API)");
        return spec;
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        Path file = Path.of(arguments.file());
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        Context.Builder builder = arguments.contextBuilder().out(out).err(err).option("bpf.Engine", "native");
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
