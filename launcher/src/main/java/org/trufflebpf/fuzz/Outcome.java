package org.trufflebpf.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one run of a program observably did on one engine: r0 or the error, the input memory as the run left
 * it, every map's contents afterwards, and the instructions executed (when the run finished).
 *
 * @param r0        the result, or null when the run failed
 * @param errorKind {@code rejected} (load or verify) or {@code runtime}, or null
 * @param error     the error's one-line message, or null
 * @param memory    the input bytes after the run, or null without input
 * @param maps      each map's name with its entries rendered as text, in module order
 * @param output    what the run printed (bpf_trace_printk)
 * @param executed  the instructions executed, or -1 when unknown (failed runs; the kernel engine, which counts none)
 */
public record Outcome(Long r0, String errorKind, String error, byte[] memory, Map<String, List<String>> maps, String output, long executed) {

    /**
     * Addresses of native memory (user-space pointers: 9 or more hex digits) differ between contexts, which
     * allocate their own inputs and maps; errors are compared with them masked and otherwise word for word.
     */
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]{9,}");

    /**
     * Where a failed access pointed is layout too when it is a pointer truncated to 32 bits (laundering programs
     * do that): 5 to 8 hex digits. Shorter ones (0x1000) are numbers the program computed, compared as they are.
     */
    private static final Pattern ACCESS_ADDRESS = Pattern.compile("(bytes at )0x[0-9a-f]{5,8}\\b");

    public static String maskAddresses(String text) {
        return text == null ? null : ADDRESS.matcher(ACCESS_ADDRESS.matcher(text).replaceAll("$1ADDR")).replaceAll("ADDR");
    }

    /**
     * An access outside every region is described by the first region within 512 bytes of it, or as "not memory
     * the program may access". Map entries and global data lie where each context allocated them, so that
     * description is layout, like the address; only the run's own regions (its stack, input memory, packet and
     * context, allocated alike for both engines' runs) give offsets both must agree on. So the clause is
     * compared masked unless both messages name one of those.
     */
    private static final Pattern OUTSIDE = Pattern.compile("bytes at (\\S.*?[+-]\\d+ is out of bounds: (.+?) is \\d+ bytes|\\S+: not memory the program may access)");
    private static final Set<String> RUN_REGIONS = Set.of("stack", "memory", "packet", "context");

    /** Null (no region named: "not memory the program may access") is no run region. */
    private static boolean isRunRegion(String name) {
        return name != null && RUN_REGIONS.contains(name);
    }

    static boolean sameError(String a, String b) {
        String ma = maskAddresses(a);
        String mb = maskAddresses(b);
        if (Objects.equals(ma, mb)) {
            return true;
        }
        if (ma == null || mb == null) {
            return false;
        }
        Matcher ra = OUTSIDE.matcher(ma);
        Matcher rb = OUTSIDE.matcher(mb);
        if (!ra.find() || !rb.find()) {
            return false;
        }
        if (isRunRegion(ra.group(2)) && isRunRegion(rb.group(2))) {
            return false;
        }
        return ra.replaceFirst("bytes outside every region").equals(rb.replaceFirst("bytes outside every region"));
    }

    public boolean failed() {
        return r0 == null;
    }

    /** The fields that differ from {@code other}, each as one readable line; empty when they agree. */
    public List<String> differences(Outcome other) {
        List<String> diffs = new ArrayList<>();
        if (!Objects.equals(r0, other.r0)) {
            diffs.add("r0: " + showR0(r0) + " vs " + showR0(other.r0));
        }
        if (!Objects.equals(errorKind, other.errorKind) || !sameError(error, other.error)) {
            diffs.add("error: " + (error == null ? "none" : errorKind + ": " + error) + " vs " + (other.error == null ? "none" : other.errorKind + ": " + other.error));
        }
        if (!Arrays.equals(memory, other.memory)) {
            diffs.add("memory: " + hex(memory) + " vs " + hex(other.memory));
        }
        for (String name : union(maps, other.maps)) {
            List<String> a = maps.get(name);
            List<String> b = other.maps.get(name);
            if (!Objects.equals(a, b)) {
                diffs.add("map " + name + ": " + a + " vs " + b);
            }
        }
        if (!Objects.equals(output, other.output)) {
            diffs.add("output: " + show(output) + " vs " + show(other.output));
        }
        if (executed >= 0 && other.executed >= 0 && executed != other.executed) {
            diffs.add("executed: " + executed + " vs " + other.executed + " instructions");
        }
        return diffs;
    }

    /** Which fields differ ({@code r0}, {@code error}, ...): what a reduction must keep diverging. */
    public static List<String> fieldsOf(List<String> differences) {
        return differences.stream().map(d -> d.substring(0, d.indexOf(':'))).toList();
    }

    private static List<String> union(Map<String, List<String>> a, Map<String, List<String>> b) {
        List<String> names = new ArrayList<>(a.keySet());
        for (String name : b.keySet()) {
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    private static String show(String text) {
        return text == null ? "none" : "'" + text.replace("\n", "\\n") + "'";
    }

    private static String showR0(Long value) {
        return value == null ? "none" : value + " (0x" + Long.toHexString(value) + ")";
    }

    static String hex(byte[] bytes) {
        return bytes == null ? "none" : HexFormat.of().formatHex(bytes);
    }

    /** One line: r0 or the error, then the instruction count. */
    public String summary() {
        String what = failed() ? errorKind + " error: " + error : "r0 = " + showR0(r0);
        return executed >= 0 ? what + ", " + executed + " instructions" : what;
    }
}
