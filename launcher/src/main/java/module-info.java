/**
 * The {@code bpf} command and the differential fuzzer. Everything goes through the Polyglot API: the language
 * joins as Truffle's language service, the engines (jit-x64, kernel) as the language's services, when they are
 * on the module path.
 */
module org.trufflebpf.launcher {
    requires transitive org.graalvm.polyglot;
    // A fuzz campaign starts its workers with this JVM's own options (RuntimeMXBean).
    requires java.management;
    // Bench measures Java heap allocation per run (com.sun.management.ThreadMXBean).
    requires jdk.management;
    // Parses each command's arguments (built as specs in code, so picocli needs no reflective access to us).
    requires info.picocli;

    exports org.trufflebpf.fuzz;
    exports org.trufflebpf.launcher;
}
