package org.trufflebpf.verifier;

import org.trufflebpf.model.BpfFunction;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;

/**
 * What the verifier found in a program, as {@code bpf verify} prints it: size, functions with their
 * instruction ranges and stack depths, and each tail-call site, direct (map and key known) or indirect.
 */
public final class VerifierReport {
    private VerifierReport() {
    }

    /** The report of a verified program (one that carries the verifier's {@link ProgramAnalysis}). */
    public static String of(Program verified) {
        ProgramAnalysis analysis = verified.analysis();
        StringBuilder sb = new StringBuilder();
        sb.append(verified.name()).append(": ok, ").append(verified.code().size()).append(" instructions, ").append(analysis.functions().size())
                        .append(analysis.functions().size() == 1 ? " function" : " functions").append(", stack ").append(analysis.maxStackDepth())
                        .append(" bytes on the deepest call chain");
        for (BpfFunction function : analysis.functions()) {
            sb.append(String.format("%n  %-24s insns %d..%d  stack %d%s", function.name(), function.start(), function.end() - 1, function.stackDepth(),
                            function.tailCallReachable() ? "  tail call reachable" : ""));
        }
        analysis.tailCallSites().values().stream().sorted((a, b) -> Integer.compare(a.index(), b.index()))
                        .forEach(site -> sb.append(String.format("%n  tail call at insn %d: %s", site.index(),
                                        site.direct() ? "direct (map " + verified.mapName(site.mapIndex()) + ", key " + site.constantKey() + ")" : "indirect")));
        if (analysis.needsInputAtEntry()) {
            int reads = analysis.provenByInputLength().size();
            sb.append(String.format("%n  %d %s proven through the input's length: the program runs over input bytes only (r1 the input, r2 its length),"
                            + " and is no tail call's target", reads, reads == 1 ? "read" : "reads"));
        }
        return sb.toString();
    }
}
