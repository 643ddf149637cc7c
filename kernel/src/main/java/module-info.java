/** The host kernel as an engine through bpf(2), found by the language as its {@code KernelEngineProvider} ({@code bpf.Engine=kernel}). */
module org.trufflebpf.kernel {
    requires transitive org.trufflebpf.language;

    exports org.trufflebpf.kernel;

    provides org.trufflebpf.runtime.KernelEngineProvider with org.trufflebpf.kernel.KernelEngineService;
}
