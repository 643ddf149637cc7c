/** The native x86-64 engine, found by the language as its {@code NativeEngineProvider} ({@code bpf.Engine=native}). */
// "x64" names the architecture, not a version: the terminal digits are meant.
@SuppressWarnings("module")
module org.trufflebpf.jit.x64 {
    requires transitive org.trufflebpf.language;
    // ThreadStack reads the JVM's guard and shadow zone sizes (HotSpotDiagnosticMXBean).
    requires jdk.management;

    exports org.trufflebpf.jit.x64;

    provides org.trufflebpf.runtime.NativeEngineProvider with org.trufflebpf.jit.x64.NativeEngineService;
}
