package org.trufflebpf.fuzz;

import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * Our verifier's and the host kernel's verdicts on an assembly source, asked of the language through one context
 * that only reads sources ({@code bpf.Prepare=false}): its modules' {@code verify} and {@code kernelVerdict}
 * members. A source is accepted when every program in it is.
 */
public final class VerifierVerdicts implements AutoCloseable {
    private final Context context = QuietContexts.reader(Map.of());

    /**
     * @param accepted whether the verifier accepts every program
     * @param reason   the first rejection in one line, or null
     * @param log      the kernel verifier's log of the last program it saw (empty for ours)
     */
    public record Verdict(boolean accepted, String reason, String log) {
    }

    /** Our verifier's verdict. */
    public Verdict ours(String text, String name) {
        try {
            Value module = read(text, name);
            Value programs = module.invokeMember("programNames");
            for (long i = 0; i < programs.getArraySize(); i++) {
                module.invokeMember("verify", programs.getArrayElement(i).asString());
            }
            return new Verdict(true, null, "");
        } catch (PolyglotException e) {
            return rejected(e);
        }
    }

    /** The kernel verifier's verdict, with its log; a source that does not assemble is rejected as ours rejects it. */
    public Verdict kernel(String text, String name) {
        try {
            Value module = read(text, name);
            Value programs = module.invokeMember("programNames");
            String log = "";
            for (long i = 0; i < programs.getArraySize(); i++) {
                Value verdict = module.invokeMember("kernelVerdict", programs.getArrayElement(i).asString());
                if (verdict.isNull()) {
                    return new Verdict(false, "raw-memory programs have no kernel counterpart", "");
                }
                log = verdict.getMember("log").asString();
                if (!verdict.getMember("accepted").asBoolean()) {
                    return new Verdict(false, verdict.getMember("reason").asString(), log);
                }
            }
            return new Verdict(true, null, log);
        } catch (PolyglotException e) {
            return rejected(e);
        }
    }

    /** Not cached: a campaign reads thousands of sources once each. */
    private Value read(String text, String name) {
        return context.eval(Source.newBuilder("bpf", text, name).mimeType(DiffCase.ASM_MIME).cached(false).buildLiteral());
    }

    /** A rejection; anything else (an engine crash) is not a verdict and goes on up. */
    private static Verdict rejected(PolyglotException e) {
        if (!e.isSyntaxError()) {
            throw e;
        }
        return new Verdict(false, e.getMessage(), "");
    }

    @Override
    public void close() {
        context.close(true);
    }
}
