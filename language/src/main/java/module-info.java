/**
 * The bpf language: the program model, the assembler, the ELF loader and the verifier, the runtime both engines
 * share, and the Truffle interpreter. The native and kernel engines are services this module looks up; the Truffle
 * packages stay inside, reached by Truffle through the generated language provider.
 */
module org.trufflebpf.language {
    requires org.graalvm.truffle;
    // org.graalvm.options: the language's option descriptors.
    requires org.graalvm.polyglot;

    exports org.trufflebpf.asm;
    exports org.trufflebpf.elf;
    exports org.trufflebpf.load;
    exports org.trufflebpf.model;
    exports org.trufflebpf.runtime;
    exports org.trufflebpf.runtime.maps;
    exports org.trufflebpf.verifier;

    uses org.trufflebpf.runtime.NativeEngineProvider;
    uses org.trufflebpf.runtime.KernelEngineProvider;

    provides com.oracle.truffle.api.provider.TruffleLanguageProvider with org.trufflebpf.truffle.BpfLanguageProvider;
    // bpf run --coverage: line coverage as LCOV (GraalVM's coverage tool is not served for 25.0.1).
    // bpf run --cpusampler: the C line each sample is on (GraalVM 25.0.1's sampler names functions only).
    provides com.oracle.truffle.api.instrumentation.provider.TruffleInstrumentProvider with org.trufflebpf.truffle.coverage.LineCoverageInstrumentProvider,
                    org.trufflebpf.truffle.sampler.LineSamplerInstrumentProvider;
}
