package org.trufflebpf.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the public bpf_conformance suite lies: the folder named by {@code BPF_CONFORMANCE_DIR}, else the one
 * the build passes in {@code BPF_CONFORMANCE_DIR_DEFAULT}, else {@code ../shared/conformance} seen from the
 * working directory or its parents. The suite is read in place, never copied. Test code: the jit-x64 and tests
 * modules reach it through this module's test-jar, which holds this package alone.
 */
public final class ConformanceSuite {
    private ConformanceSuite() {
    }

    public static Optional<Path> directory() {
        for (String variable : new String[]{"BPF_CONFORMANCE_DIR", "BPF_CONFORMANCE_DIR_DEFAULT"}) {
            String value = System.getenv(variable);
            if (value != null && !value.isEmpty() && Files.isDirectory(Path.of(value, "tests"))) {
                return Optional.of(Path.of(value).toAbsolutePath().normalize());
            }
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("../shared/conformance");
            if (Files.isDirectory(candidate.resolve("tests"))) {
                return Optional.of(candidate.normalize());
            }
        }
        return Optional.empty();
    }

    /** The {@code .data} files of a sub-folder ({@code tests} or {@code negative}), sorted by name. */
    public static List<Path> files(String folder) {
        Path dir = directory().orElseThrow(() -> new IllegalStateException("conformance suite not found")).resolve(folder);
        try (Stream<Path> stream = Files.list(dir)) {
            return stream.filter(p -> p.toString().endsWith(".data")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String whereToPut() {
        return "bpf_conformance suite not found: set BPF_CONFORMANCE_DIR or place it at ../shared/conformance";
    }
}
