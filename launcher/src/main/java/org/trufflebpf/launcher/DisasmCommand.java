package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bpf disasm FILE [--program NAME]}: prints the program(s) as assembly the assembler reads back, as the
 * module's {@code listing} member gives it.
 */
final class DisasmCommand implements BpfCommand.Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Arguments.command("disasm", "Prints the program(s) as assembly that the assembler reads back (maps and global data included).");
        Arguments.positional(spec, "FILE", "the program: assembly (.s), ELF object (.o), raw bytes or a conformance .data file");
        Arguments.option(spec, "--program", "NAME", "only this program (by name, or by section when that is unique)");
        return spec;
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        Path file = Path.of(arguments.file());
        try (ObjectView object = ObjectView.open(file, file.toString(), ObjectView.ANY_FORMAT, arguments)) {
            String wanted = arguments.option("--program");
            out.print(wanted == null ? object.text("listing") : object.text("listing", wanted));
            return 0;
        }
    }
}
