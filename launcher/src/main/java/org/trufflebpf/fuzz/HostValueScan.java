package org.trufflebpf.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks through what a run left behind for values that are addresses of this process: r0, every 8-byte word of
 * the input memory the run changed, every map entry (numbers, and the 8-byte words of byte values) and every
 * number in the printed output, each checked against the mappings of {@code /proc/self/maps} that hold
 * something (thread stacks, the Java heap, code cache, libjvm and other libraries, native memory).
 * <p>
 * What is legitimate: a program may store the address of memory it owns (its stack, its input, a map value),
 * which says nothing about the host; such ranges are passed in as {@code own} and not reported. Anything else
 * (a saved register of the JVM, a return address, a pointer into the heap) got there because an engine let the
 * program read memory outside its regions. Generated programs never store addresses, so for them every hit is a
 * leak.
 * <p>
 * Values below 2^40 are not looked at: they are everyday numbers (edge constants such as {@code 0x80000000},
 * sums of 32-bit loads) and hit the Java heap, which compressed oops place below 32 GiB (a laundering campaign
 * saw a sum of loaded words land there). Thread stacks, code, libraries and native memory lie near 2^47 on
 * x86-64 Linux; a leaked Java heap address goes unseen by the scan, though not by the comparison unless both
 * engines leak the same one. Input words the run left as they were are the caller's data, not the run's doing.
 */
public final class HostValueScan {
    private static final long LOWEST = 1L << 40;
    /** Canonical user-space addresses end below 2^47. */
    private static final long HIGHEST = 1L << 47;
    private static final long RELOAD_NANOS = 1_000_000_000L;
    private static final Pattern MAPS_LINE = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) (\\S{4}) \\S+ \\S+ \\S+\\s*(.*)$");
    private static final Pattern DECIMAL = Pattern.compile("-?\\b\\d{10,20}\\b");
    private static final Pattern HEX = Pattern.compile("\\b(?:0x)?([0-9a-fA-F]{9,16})\\b");
    private static final Pattern BYTES = Pattern.compile("\\b(?:[0-9a-f]{16})+\\b");

    /** A mapping of the process: [start, end) with its permissions and what it is (a file, [stack], or empty). */
    record Mapping(long start, long end, String perms, String name) {
        @Override
        public String toString() {
            return Long.toHexString(start) + "-" + Long.toHexString(end) + " " + perms + (name.isEmpty() ? " (anonymous)" : " " + name);
        }
    }

    private List<Mapping> mappings = List.of();
    private long loadedAt;

    /** A scan with no mappings read yet: it reads them when a value is not found, at most once a second. */
    public HostValueScan() {
    }

    /** Mappings of this process that hold something (inaccessible reservations and guard pages left out). */
    static List<Mapping> readMappings() {
        List<Mapping> result = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                Matcher m = MAPS_LINE.matcher(line);
                if (m.matches() && !m.group(3).startsWith("---")) {
                    result.add(new Mapping(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16), m.group(3), m.group(4).trim()));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/maps: the host-value scan needs Linux", e);
        }
        return result;
    }

    /** The mapping {@code value} lies in, or null; reloads the mappings (at most once a second) before saying no. */
    Mapping mappingOf(long value) {
        if (value < LOWEST || value >= HIGHEST) {
            return null;
        }
        Mapping found = find(value);
        if (found == null && System.nanoTime() - loadedAt > RELOAD_NANOS) {
            // The process maps memory as it runs (code, native memory, thread stacks): look again.
            mappings = readMappings();
            loadedAt = System.nanoTime();
            found = find(value);
        }
        return found;
    }

    private Mapping find(long value) {
        int lo = 0;
        int hi = mappings.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Mapping m = mappings.get(mid);
            if (value < m.start()) {
                hi = mid - 1;
            } else if (value >= m.end()) {
                lo = mid + 1;
            } else {
                return m;
            }
        }
        return null;
    }

    /**
     * Every host value in what the run left behind, as {@code where=0x... (mapping)}; empty when none.
     *
     * @param input the input as the caller gave it (null: none); only words the run changed are scanned
     * @param own   address ranges {@code [start, end)} the run owns, whose addresses it may store
     */
    public List<String> leaks(Outcome outcome, byte[] input, List<long[]> own) {
        List<String> found = new ArrayList<>();
        if (outcome.r0() != null) {
            check("r0", outcome.r0(), own, found);
        }
        byte[] memory = outcome.memory();
        if (memory != null) {
            ByteBuffer after = ByteBuffer.wrap(memory).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer before = input == null ? null : ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i + 8 <= memory.length; i += 8) {
                if (before == null || i + 8 > input.length || before.getLong(i) != after.getLong(i)) {
                    check("memory[" + i + "]", after.getLong(i), own, found);
                }
            }
        }
        for (Map.Entry<String, List<String>> map : outcome.maps().entrySet()) {
            for (String entry : map.getValue()) {
                scanText("map " + map.getKey(), entry, own, found);
            }
        }
        if (outcome.output() != null) {
            scanText("output", outcome.output(), own, found);
        }
        return found;
    }

    /** Numbers in text: decimal ones, hex ones (trace_printk's %x), and runs of bytes as little-endian words. */
    private void scanText(String where, String text, List<long[]> own, List<String> found) {
        Matcher d = DECIMAL.matcher(text);
        while (d.find()) {
            try {
                check(where, Long.parseLong(d.group()), own, found);
            } catch (NumberFormatException e) {
                // Beyond 64 bits: no address.
            }
        }
        Matcher h = HEX.matcher(text);
        while (h.find()) {
            check(where, Long.parseUnsignedLong(h.group(1), 16), own, found);
        }
        Matcher b = BYTES.matcher(text);
        while (b.find()) {
            byte[] bytes = HexFormat.of().parseHex(b.group());
            ByteBuffer words = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i + 8 <= bytes.length; i += 8) {
                check(where, words.getLong(i), own, found);
            }
        }
    }

    private void check(String where, long value, List<long[]> own, List<String> found) {
        for (long[] range : own) {
            if (value >= range[0] && value < range[1]) {
                return;
            }
        }
        Mapping m = mappingOf(value);
        if (m != null) {
            found.add(where + "=0x" + Long.toHexString(value) + " (" + m + ")");
        }
    }
}
