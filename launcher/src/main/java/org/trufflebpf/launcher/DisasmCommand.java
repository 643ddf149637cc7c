package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import org.trufflebpf.asm.ObjectListing;
import org.trufflebpf.load.ObjectLoader;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Program;

/** {@code bpf disasm FILE [--program NAME]}: prints the program(s) as assembly the assembler reads back. */
final class DisasmCommand implements BpfCommand.Subcommand {
    @Override
    public String usage() {
        return "FILE [--program NAME]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of("--program"), List.of());
        BpfObject object = ObjectLoader.load(Path.of(arguments.file()));
        String wanted = arguments.option("--program");
        if (wanted == null) {
            out.print(ObjectListing.list(object));
            return 0;
        }
        Program program = object.findProgram(wanted);
        if (program == null) {
            throw new BpfError(BpfError.Kind.LOAD, object.sourceName(), "no program named '" + wanted + "' (or not unique in its section)");
        }
        out.print(ObjectListing.listProgram(program));
        return 0;
    }
}
