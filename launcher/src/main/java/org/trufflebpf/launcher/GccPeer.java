package org.trufflebpf.launcher;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The physical-limit peer of {@code bpf bench --peers}: the suite's {@code host.c} compiled with {@code gcc -O2} into
 * a shared library in a temporary folder at run time, its {@code bench_NAME(mem, len)} entries called through FFM.
 */
final class GccPeer implements AutoCloseable {
    private static final FunctionDescriptor ENTRY = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);

    private final Arena arena = Arena.ofShared();
    private final Path folder;
    private final SymbolLookup library;
    private final String version;

    private GccPeer(Path folder, Path library, String version) {
        this.folder = folder;
        this.library = SymbolLookup.libraryLookup(library, arena);
        this.version = version;
    }

    /** Builds {@code host.c} of the suite's folder; absent when gcc or the file is missing or the build fails. */
    static GccPeer build(Path suiteFolder) throws PeerAbsentException, IOException, InterruptedException {
        Path source = suiteFolder.resolve("host.c");
        if (!Files.exists(source)) {
            throw new PeerAbsentException("the suite has no host.c");
        }
        String version;
        try {
            version = command(Path.of("."), "gcc", "--version").lines().findFirst().orElse("gcc");
        } catch (IOException e) {
            throw new PeerAbsentException("gcc is not installed (" + e.getMessage() + ")");
        }
        Path folder = Files.createTempDirectory("bpf-bench-gcc");
        Path library = folder.resolve("libbench.so");
        try {
            command(folder, "gcc", "-O2", "-shared", "-fPIC", "-I" + suiteFolder.toAbsolutePath(), source.toAbsolutePath().toString(), "-o", library.toString());
        } catch (IOException e) {
            delete(folder);
            throw new PeerAbsentException("gcc -O2 could not build host.c: " + e.getMessage());
        }
        return new GccPeer(folder, library, version);
    }

    String version() {
        return version;
    }

    /** The entry of benchmark {@code name}; absent when host.c has none. */
    PeerProgram entry(String name, byte[] input) throws PeerAbsentException {
        Optional<MemorySegment> symbol = library.find("bench_" + name);
        if (symbol.isEmpty()) {
            throw new PeerAbsentException("host.c has no bench_" + name);
        }
        MethodHandle handle = Linker.nativeLinker().downcallHandle(symbol.get(), ENTRY);
        // The input is copied once: native code reads it where it lies, as a caller's buffer.
        MemorySegment memory = input == null ? MemorySegment.NULL : arena.allocate(input.length, 16).copyFrom(MemorySegment.ofArray(input));
        long length = input == null ? 0 : input.length;
        return () -> (long) handle.invokeExact(memory, length);
    }

    private static String command(Path folder, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command[0] + " did not finish");
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(text.lines().findFirst().orElse("exit " + process.exitValue()));
        }
        return text;
    }

    private static void delete(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() throws IOException {
        arena.close();
        delete(folder);
    }
}
