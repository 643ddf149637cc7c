package org.trufflebpf.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;

/**
 * Writes a reduced divergence as a {@code .s} file that {@code bpf run} replays: the object as
 * the language lists it, headed by comments with the input bytes, both engines' outcomes and the
 * command to run it.
 */
public final class Reproducer {
    private Reproducer() {
    }

    /** The reproducer's text; the listing replaces the reduced text only when it still shows the divergence. */
    public static String text(Reducer.Reduced reduced, DifferentialRunner runner, String origin, Map<String, String> options) {
        DiffCase c = reduced.reproducer();
        String body = c.text();
        try {
            String listing = listing(c.text(), c.name());
            if (runner.compare(c.withText(listing)).differences().equals(reduced.comparison().differences())) {
                body = listing;
            }
        } catch (RuntimeException e) {
            // keep the reduced text as it is
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# Engines diverge: ").append(origin).append('\n');
        String hex = Outcome.hex(c.input());
        sb.append("# input (").append(c.input() == null ? 0 : c.input().length).append(" bytes): ").append(hex).append('\n');
        StringBuilder opts = new StringBuilder();
        new TreeMap<>(options).forEach((k, v) -> opts.append(' ').append(k).append('=').append(v));
        sb.append("# options:").append(opts).append(c.tailCallAbi() == null ? "" : " tail-call-abi=" + c.tailCallAbi()).append('\n');
        for (String line : reduced.comparison().report().split("\n")) {
            sb.append("#").append(line).append('\n');
        }
        sb.append("# replay: bpf run FILE --program ").append(c.program() == null ? "main" : c.program()).append(" --packet ").append(hex)
                        .append(options.containsKey("bpf.InstructionLimit") ? " --limit " + options.get("bpf.InstructionLimit") : "")
                        .append(options.containsKey("bpf.Seed") ? " --seed " + options.get("bpf.Seed") : "")
                        .append(options.containsKey("bpf.TailCallAbi") ? " --tail-call-abi " + options.get("bpf.TailCallAbi") : "")
                        .append("false".equals(options.get("bpf.Verify")) ? " --unverified" : "")
                        .append(" --maps --engine interpreter|native|kernel\n");
        sb.append(body);
        return sb.toString();
    }

    /** The assembly as the language lists it back (the module's {@code listing} member), labels and slot indexes included. */
    private static String listing(String text, String name) {
        try (Context context = Context.newBuilder("bpf").option("bpf.Prepare", "false").build()) {
            return context.eval(Source.newBuilder("bpf", text, name).mimeType("text/x-bpf-asm").buildLiteral()).invokeMember("listing").asString();
        }
    }

    public static Path write(Path directory, String name, String text) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
