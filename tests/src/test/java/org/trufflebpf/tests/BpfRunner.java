package org.trufflebpf.tests;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.trufflebpf.asm.ConformanceFile;

/** Runs conformance programs through the Polyglot API, as any embedder would. */
final class BpfRunner {
    static final String ASM_MIME = "text/x-bpf-asm";
    static final String BYTECODE_MIME = "application/x-bpf";

    private BpfRunner() {
    }

    /**
     * A context for the engine named by the system property {@code bpf.test.engine} (default: the interpreter),
     * so the same suites can run on the native engine once it registers its provider.
     */
    static Context.Builder contextBuilder() {
        Context.Builder builder = Context.newBuilder("bpf").allowHostAccess(HostAccess.ALL).allowExperimentalOptions(true);
        String engine = System.getProperty("bpf.test.engine");
        return engine == null || engine.isEmpty() ? builder : builder.option("bpf.Engine", engine);
    }

    static Value evalAsm(Context context, String asm, String name) {
        return context.eval(Source.newBuilder("bpf", asm, name).mimeType(ASM_MIME).buildLiteral());
    }

    /**
     * Evaluates assembly from a source Truffle does not cache: a module evaluated once is then held by no one but
     * the host. (Truffle keeps the module of a cached source while its cache entry lives, measured at up to 100
     * modules per context.)
     */
    static Value evalAsmUncached(Context context, String asm, String name) {
        return context.eval(Source.newBuilder("bpf", asm, name).mimeType(ASM_MIME).cached(false).buildLiteral());
    }

    /** Loads a conformance file's program (its asm, else its raw words) as a module. */
    static Value load(Context context, ConformanceFile file) {
        if (file.asm() != null) {
            return evalAsm(context, file.asm(), file.name());
        }
        return context.eval(Source.newBuilder("bpf", ByteSequence.create(file.raw()), file.name()).mimeType(BYTECODE_MIME).buildLiteral());
    }

    /** Runs the file's program over its memory (r1 = pointer, r2 = length; both 0 without memory); returns r0. */
    static long run(Context context, ConformanceFile file) {
        Value module = load(context, file);
        Value result = file.memory() == null ? module.execute() : module.execute(file.memory());
        return result.asLong();
    }
}
