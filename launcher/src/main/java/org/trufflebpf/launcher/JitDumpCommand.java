package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
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
        return "FILE [--program NAME] [--context raw|socket|tc|xdp] [--stubs]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of("--program", "--context"), List.of("--stubs"));
        Path file = Path.of(arguments.file());
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        Context.Builder builder = Context.newBuilder("bpf").out(out).err(err).option("bpf.Engine", "native");
        if (arguments.option("--context") != null) {
            builder.option("bpf.Context", arguments.option("--context"));
        }
        try (Context context = builder.build()) {
            Value module = context.eval(RunCommand.load(file).source());
            String member = arguments.flag("--stubs") ? "nativeCodeWithStubs" : "nativeCode";
            String wanted = arguments.option("--program");
            if (wanted != null) {
                Value program = RunCommand.program(module, wanted, file);
                out.print("program " + program.getMember("name").asString() + ":\n" + program.getMember(member).asString());
                return 0;
            }
            boolean first = true;
            for (String key : module.getMemberKeys()) {
                Value program = module.getMember(key);
                if (program.canExecute()) {
                    out.print((first ? "" : "\n") + "program " + key + ":\n" + program.getMember(member).asString());
                    first = false;
                }
            }
            return 0;
        } catch (PolyglotException e) {
            if (e.isGuestException() || e.isSyntaxError()) {
                err.println(e.getMessage());
                return BpfCommand.EXIT_REJECTED;
            }
            throw e;
        }
    }
}
