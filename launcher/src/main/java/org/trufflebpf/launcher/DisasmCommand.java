package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bpf disasm FILE [--program NAME]}: prints the program(s) as assembly the assembler reads back, as the
 * module's {@code listing} member gives it.
 */
final class DisasmCommand implements BpfCommand.Subcommand {
    @Override
    public String usage() {
        return "FILE [--program NAME]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of("--program"), List.of());
        Path file = Path.of(arguments.file());
        try (ObjectView object = ObjectView.open(file, file.toString(), ObjectView.ANY_FORMAT, null)) {
            String wanted = arguments.option("--program");
            out.print(wanted == null ? object.text("listing") : object.text("listing", wanted));
            return 0;
        }
    }
}
