package org.trufflebpf.elf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the committed example objects under {@code examples/c/} at the repository root. */
final class ExampleObjects {
    private ExampleObjects() {
    }

    /** The {@code examples/c} folder, searched upwards from the working directory. */
    static Path folder() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("examples").resolve("c");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("examples/c not found above " + Path.of("").toAbsolutePath());
    }

    static Path path(String relative) {
        return folder().resolve(relative);
    }

    static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every committed {@code .o}, relative to the examples folder, sorted. */
    static List<String> all() {
        Path root = folder();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".o")).map(p -> root.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
