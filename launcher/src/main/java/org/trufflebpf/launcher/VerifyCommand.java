package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import org.trufflebpf.kernel.KernelVerdict;
import org.trufflebpf.load.ObjectLoader;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfFunction;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.ObjectBtf;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.verifier.Verifier;

/**
 * {@code bpf verify FILE [--program NAME] [--context TYPE] [--kernel]}: loads and verifies each program, printing what the
 * verifier found (functions, stack depths, tail-call facts); the first rejection is one line and exit 1. With
 * {@code --kernel} every program also goes to the host kernel's verifier, with the object's BTF as the kernel engine
 * loads it: both verdicts, what became of the BTF (a refusal with the kernel's reason) and the kernel's whole log
 * are printed, and any rejection (ours or the kernel's) gives exit 1.
 */
final class VerifyCommand implements BpfCommand.Subcommand {
    @Override
    public String usage() {
        return "FILE [--program NAME] [--context raw|socket|tc|xdp] [--kernel]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of("--program", "--context"), List.of("--kernel"));
        BpfObject object = ObjectLoader.load(Path.of(arguments.file()));
        List<Program> programs = object.programs();
        String wanted = arguments.option("--program");
        if (wanted != null) {
            Program program = object.findProgram(wanted);
            if (program == null) {
                throw new BpfError(BpfError.Kind.LOAD, object.sourceName(), "no program named '" + wanted + "' (or not unique in its section)");
            }
            programs = List.of(program);
        }
        ProgramType override = null;
        if (arguments.option("--context") != null) {
            override = ProgramType.byName(arguments.option("--context"));
            if (override == null) {
                throw new UsageException("unknown context '" + arguments.option("--context") + "'");
            }
        }
        if (arguments.flag("--kernel")) {
            return bothVerdicts(programs, override, object.btf(), out);
        }
        for (Program program : programs) {
            Program verified = Verifier.verify(override == null ? program : program.withType(override));
            out.println(describe(verified));
        }
        return 0;
    }

    private static int bothVerdicts(List<Program> programs, ProgramType override, ObjectBtf btf, PrintStream out) {
        int exit = 0;
        for (Program program : programs) {
            Program typed = override == null ? program : program.withType(override);
            try {
                out.println("ours:   " + describe(Verifier.verify(typed)));
            } catch (BpfError e) {
                out.println("ours:   " + program.name() + ": rejected: " + e.getMessage());
                exit = BpfCommand.EXIT_REJECTED;
            }
            if (typed.type() == ProgramType.RAW) {
                out.println("kernel: " + program.name() + ": no kernel counterpart for a raw-memory program (give --context socket, tc or xdp)");
                continue;
            }
            KernelVerdict kernel = KernelVerdict.of(typed, btf);
            out.println("kernel: " + program.name() + (kernel.accepted() ? ": ok" : ": rejected: " + kernel.reason()));
            out.println("kernel BTF: " + kernel.btf());
            if (!kernel.accepted()) {
                exit = BpfCommand.EXIT_REJECTED;
            }
            out.println("kernel verifier log:");
            out.print(kernel.log().endsWith("\n") || kernel.log().isEmpty() ? kernel.log() : kernel.log() + "\n");
        }
        return exit;
    }

    static String describe(Program program) {
        ProgramAnalysis analysis = program.analysis();
        StringBuilder sb = new StringBuilder();
        sb.append(program.name()).append(": ok, ").append(program.code().size()).append(" instructions, ").append(analysis.functions().size())
                        .append(analysis.functions().size() == 1 ? " function" : " functions").append(", stack ").append(analysis.maxStackDepth())
                        .append(" bytes on the deepest call chain");
        for (BpfFunction function : analysis.functions()) {
            sb.append(String.format("%n  %-24s insns %d..%d  stack %d%s", function.name(), function.start(), function.end() - 1, function.stackDepth(),
                            function.tailCallReachable() ? "  tail call reachable" : ""));
        }
        analysis.tailCallSites().values().stream().sorted((a, b) -> Integer.compare(a.index(), b.index()))
                        .forEach(site -> sb.append(String.format("%n  tail call at insn %d: %s", site.index(),
                                        site.direct() ? "direct (map " + program.mapName(site.mapIndex()) + ", key " + site.constantKey() + ")" : "indirect")));
        return sb.toString();
    }
}
