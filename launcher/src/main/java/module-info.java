/**
 * The {@code bpf} command and the differential fuzzer. Programs run through the Polyglot API; the engines
 * (jit-x64, kernel) join through the language's services when they are on the module path.
 */
module org.trufflebpf.launcher {
    requires transitive org.graalvm.polyglot;
    requires org.trufflebpf.language;
    requires org.trufflebpf.kernel;

    exports org.trufflebpf.fuzz;
    exports org.trufflebpf.launcher;
}
