package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bpf inspect FILE.o [--disasm] [--context TYPE]}: lists an ELF object's programs, maps and global data,
 * and each program's status (verified, or refused with the reason); with {@code --disasm} also each program's
 * linked code with function labels and map names (the module's {@code summary} and {@code disassembly}
 * members). {@code --context} gives every program that type, as {@code bpf run} does.
 */
final class InspectCommand implements BpfCommand.Subcommand {
    @Override
    public String usage() {
        return "FILE.o [--disasm] [--context raw|socket|tc|xdp]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of("--context"), List.of("--disasm"));
        Path path = Path.of(arguments.file());
        try (ObjectView object = ObjectView.open(path, path.getFileName().toString(), ObjectView.ELF, arguments.option("--context"))) {
            out.print(object.text("summary"));
            if (arguments.flag("--disasm")) {
                out.print(object.text("disassembly"));
            }
            return 0;
        }
    }
}
