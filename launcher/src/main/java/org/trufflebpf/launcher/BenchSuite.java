package org.trufflebpf.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark suite as {@code suite.txt} in its folder lists it: per line a program's name (also its gcc peer's
 * entry {@code bench_NAME} in the folder's {@code host.c}), its object, the context it runs in and its input.
 */
record BenchSuite(Path folder, List<Entry> entries) {
    /** One benchmark: {@code input} is null for none; the same bytes go to every engine and peer. */
    record Entry(String name, Path object, String context, byte[] input) {
    }

    static BenchSuite read(Path folder) throws IOException, UsageException {
        Path list = folder.resolve("suite.txt");
        if (!Files.exists(list)) {
            throw new NoSuchFileException(list.toString());
        }
        List<Entry> entries = new ArrayList<>();
        int number = 0;
        for (String line : Files.readAllLines(list)) {
            number++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] fields = text.split("\\s+");
            if (fields.length != 4) {
                throw new UsageException(list + ":" + number + ": expected NAME OBJECT CONTEXT INPUT, got '" + text + "'");
            }
            entries.add(new Entry(fields[0], folder.resolve(fields[1]).normalize(), fields[2], input(fields[3], list + ":" + number)));
        }
        return new BenchSuite(folder, entries);
    }

    private static byte[] input(String spec, String where) throws UsageException {
        if (spec.equals("none")) {
            return null;
        }
        if (spec.startsWith("packet:")) {
            return RunCommand.parseHex(spec.substring("packet:".length()));
        }
        if (spec.startsWith("random:")) {
            try {
                int bytes = Integer.parseInt(spec.substring("random:".length()));
                if (bytes > 0 && bytes <= InputFiles.MAX_DATA_BYTES) {
                    return random(bytes);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new UsageException(where + ": expected the input none, random:BYTES or packet:HEX, not '" + spec + "'");
    }

    /** A fixed pseudo-random byte sequence (xorshift64*, seed 1), so every run of the suite hashes the same bytes. */
    static byte[] random(int bytes) {
        byte[] out = new byte[bytes];
        long x = 1;
        for (int i = 0; i < bytes; i++) {
            x ^= x >>> 12;
            x ^= x << 25;
            x ^= x >>> 27;
            out[i] = (byte) ((x * 0x2545F4914F6CDD1DL) >>> 56);
        }
        return out;
    }
}
