package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/**
 * {@code bpf verify FILE [--program NAME] [--context TYPE] [--kernel] [--log]}: loads and verifies each program, printing what the
 * verifier found (functions, stack depths, tail-call facts); the first rejection is one line and exit 1. With
 * {@code --log}, a rejection is preceded by the register states along the path it was found on, in the kernel's
 * style. With
 * {@code --kernel} every program also goes to the host kernel's verifier: both verdicts and the kernel's whole log
 * are printed, and any rejection (ours or the kernel's) gives exit 1. The language does the work (the module's
 * {@code verify} and {@code kernelVerdict} members); this prints.
 */
final class VerifyCommand implements BpfCommand.Subcommand {
    @Override
    public String usage() {
        return "FILE [--program NAME] [--context raw|socket|tc|xdp] [--kernel] [--log]";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = Arguments.parse(args, List.of("--program", "--context"), List.of("--kernel", "--log"));
        Path file = Path.of(arguments.file());
        try (ObjectView object = ObjectView.open(file, file.toString(), ObjectView.ANY_FORMAT, arguments.option("--context"))) {
            String wanted = arguments.option("--program");
            Value names = wanted == null ? object.invoke("programNames") : object.invoke("programNames", wanted);
            List<String> programs = new ArrayList<>();
            for (long i = 0; i < names.getArraySize(); i++) {
                programs.add(names.getArrayElement(i).asString());
            }
            if (arguments.flag("--kernel")) {
                return bothVerdicts(object, programs, out);
            }
            for (String program : programs) {
                if (arguments.flag("--log")) {
                    out.print(object.text("verifyLog", program));
                }
                out.println(object.text("verify", program));
            }
            return 0;
        }
    }

    private static int bothVerdicts(ObjectView object, List<String> programs, PrintStream out) {
        int exit = 0;
        for (String program : programs) {
            try {
                out.println("ours:   " + object.text("verify", program));
            } catch (PolyglotException e) {
                if (!e.isGuestException()) {
                    throw e;
                }
                out.println("ours:   " + program + ": rejected: " + e.getMessage());
                exit = BpfCommand.EXIT_REJECTED;
            }
            Value kernel = object.invoke("kernelVerdict", program);
            if (kernel.isNull()) {
                out.println("kernel: " + program + ": no kernel counterpart for a raw-memory program (give --context socket, tc or xdp)");
                continue;
            }
            boolean accepted = kernel.getMember("accepted").asBoolean();
            out.println("kernel: " + program + (accepted ? ": ok" : ": rejected: " + kernel.getMember("reason").asString()));
            out.println("kernel BTF: " + kernel.getMember("btf").asString());
            if (!accepted) {
                exit = BpfCommand.EXIT_REJECTED;
            }
            String log = kernel.getMember("log").asString();
            out.println("kernel verifier log:");
            out.print(log.endsWith("\n") || log.isEmpty() ? log : log + "\n");
        }
        return exit;
    }
}
