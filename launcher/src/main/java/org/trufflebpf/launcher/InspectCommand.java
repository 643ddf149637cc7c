package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Value;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bpf inspect FILE.o [--disasm] [--context TYPE]}: lists an ELF object's programs, maps and global data,
 * and each program's status (verified, or refused with the reason); with {@code --disasm} also each program's
 * linked code with function labels and map names (the module's {@code summary} and {@code disassembly}
 * members). {@code --context} gives every program that type, as {@code bpf run} does. With {@code --json}: the programs
 * (name, type, helpers), maps (name, type) and each program's status as one JSON document.
 */
final class InspectCommand implements BpfCommand.Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Arguments.command("inspect", "Lists an ELF object's programs, maps and global data, and whether each program verifies.");
        Arguments.positional(spec, "FILE.o", "the ELF object");
        Arguments.flag(spec, "--disasm", "also each program's linked code, with function labels and map names");
        Arguments.option(spec, "--context", "raw|socket|tc|xdp", "verify every program with this context type");
        Arguments.flag(spec, "--json", "print one JSON document (see the README for its fields)");
        return spec;
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        Path path = Path.of(arguments.file());
        try (ObjectView object = ObjectView.open(path, path.getFileName().toString(), ObjectView.ELF, arguments)) {
            if (arguments.flag("--json")) {
                Value facts = object.invoke("facts");
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("file", path.toString());
                document.put("programs", facts.getMember("programs"));
                document.put("maps", facts.getMember("maps"));
                document.put("status", object.invoke("statuses"));
                if (arguments.flag("--disasm")) {
                    document.put("disassembly", object.text("disassembly"));
                }
                out.println(JsonWriter.write(document));
                return 0;
            }
            out.print(object.text("summary"));
            if (arguments.flag("--disasm")) {
                out.print(object.text("disassembly"));
            }
            return 0;
        }
    }
}
