package org.trufflebpf.launcher;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bpf verify FILE [--program NAME] [--context TYPE] [--kernel] [--log]}: loads and verifies each program, printing what the
 * verifier found (functions, stack depths, tail-call facts); the first rejection is one line and exit 1. With
 * {@code --log}, a rejection is preceded by the register states along the path it was found on, in the kernel's
 * style. With
 * {@code --kernel} every program also goes to the host kernel's verifier: both verdicts and the kernel's whole log
 * are printed, and any rejection (ours or the kernel's) gives exit 1. The language does the work (the module's
 * {@code verify} and {@code kernelVerdict} members); this prints, as text or (with {@code --json}) one JSON document.
 */
final class VerifyCommand implements BpfCommand.Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Arguments.command("verify", "Verifies each program and prints its functions, stack depths and tail-call facts (exit 1 on a rejection).");
        Arguments.positional(spec, "FILE", "the program file");
        Arguments.option(spec, "--program", "NAME", "only this program (by name, or by section when that is unique)");
        Arguments.option(spec, "--context", "raw|socket|tc|xdp", "the context type to verify with");
        Arguments.flag(spec, "--kernel", "also the host kernel's verdict and its whole verifier log");
        Arguments.flag(spec, "--log", "before a rejection, the register states along the path it was found on");
        Arguments.flag(spec, "--json", "print one JSON document (see the README for its fields)");
        return spec;
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        Path file = Path.of(arguments.file());
        try (ObjectView object = ObjectView.open(file, file.toString(), ObjectView.ANY_FORMAT, arguments)) {
            String wanted = arguments.option("--program");
            Value names = wanted == null ? object.invoke("programNames") : object.invoke("programNames", wanted);
            List<String> programs = new ArrayList<>();
            for (long i = 0; i < names.getArraySize(); i++) {
                programs.add(names.getArrayElement(i).asString());
            }
            boolean json = arguments.flag("--json");
            if (arguments.flag("--kernel")) {
                return bothVerdicts(object, programs, json, out);
            }
            if (json) {
                // A rejection is a guest exception as in text mode: one line on stderr, exit 1, no document.
                List<Map<String, Object>> verdicts = new ArrayList<>();
                for (String program : programs) {
                    Map<String, Object> verdict = new LinkedHashMap<>();
                    verdict.put("program", program);
                    verdict.put("accepted", true);
                    verdict.put("facts", object.text("verify", program));
                    if (arguments.flag("--log")) {
                        verdict.put("log", object.text("verifyLog", program));
                    }
                    verdicts.add(verdict);
                }
                out.println(JsonWriter.write(JsonWriter.object("file", file.toString(), "programs", verdicts)));
                return 0;
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

    private static int bothVerdicts(ObjectView object, List<String> programs, boolean json, PrintStream out) {
        int exit = 0;
        List<Map<String, Object>> verdicts = new ArrayList<>();
        for (String program : programs) {
            Map<String, Object> verdict = new LinkedHashMap<>();
            verdict.put("program", program);
            Map<String, Object> ours = new LinkedHashMap<>();
            try {
                String facts = object.text("verify", program);
                ours.put("accepted", true);
                ours.put("facts", facts);
                if (!json) {
                    out.println("ours:   " + facts);
                }
            } catch (PolyglotException e) {
                if (!e.isGuestException()) {
                    throw e;
                }
                ours.put("accepted", false);
                ours.put("reason", e.getMessage());
                if (!json) {
                    out.println("ours:   " + program + ": rejected: " + e.getMessage());
                }
                exit = BpfCommand.EXIT_REJECTED;
            }
            verdict.put("ours", ours);
            verdicts.add(verdict);
            Value kernel = object.invoke("kernelVerdict", program);
            if (kernel.isNull()) {
                verdict.put("kernel", null);
                if (!json) {
                    out.println("kernel: " + program + ": no kernel counterpart for a raw-memory program (give --context socket, tc or xdp)");
                }
                continue;
            }
            boolean accepted = kernel.getMember("accepted").asBoolean();
            if (!accepted) {
                exit = BpfCommand.EXIT_REJECTED;
            }
            String log = kernel.getMember("log").asString();
            if (json) {
                Map<String, Object> theirs = new LinkedHashMap<>();
                theirs.put("accepted", accepted);
                theirs.put("reason", accepted ? null : kernel.getMember("reason").asString());
                theirs.put("btf", kernel.getMember("btf").asString());
                theirs.put("log", log);
                verdict.put("kernel", theirs);
                continue;
            }
            out.println("kernel: " + program + (accepted ? ": ok" : ": rejected: " + kernel.getMember("reason").asString()));
            out.println("kernel BTF: " + kernel.getMember("btf").asString());
            out.println("kernel verifier log:");
            out.print(log.endsWith("\n") || log.isEmpty() ? log : log + "\n");
        }
        if (json) {
            out.println(JsonWriter.write(JsonWriter.object("programs", verdicts)));
        }
        return exit;
    }
}
