package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.trufflebpf.elf.ElfLoader;
import org.trufflebpf.elf.ProgramListing;
import org.trufflebpf.load.ObjectLoader;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Program;

/**
 * {@code bpf inspect FILE.o [--disasm]}: lists an ELF object's programs, maps and global data, and with
 * {@code --disasm} also each program's linked code with function labels and map names.
 */
final class InspectCommand implements BpfCommand.Subcommand {
    @Override
    public String usage() {
        return "FILE.o [--disasm]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of(), List.of("--disasm"));
        String file = arguments.file();
        boolean disassemble = arguments.flag("--disasm");
        Path path = Path.of(file);
        BpfObject object = ElfLoader.load(ObjectLoader.readFile(path, ObjectLoader.MAX_FILE_BYTES, "an ELF object"), path.getFileName().toString());
        out.print(ProgramListing.summary(object));
        if (disassemble) {
            for (Program program : object.programs()) {
                out.println();
                out.println("program " + program.name() + " (section " + program.section() + "):");
                out.print(ProgramListing.disassemble(program));
            }
        }
        return 0;
    }
}
