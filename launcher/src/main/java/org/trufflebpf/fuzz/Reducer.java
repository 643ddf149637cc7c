package org.trufflebpf.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shrinks a diverging case by delta debugging over its instruction lines: removes chunks of lines, then
 * replaces single instructions with {@code mov rX, 0}, then simplifies immediates to 0 or 1, and finally
 * zeroes the input, keeping each change only while the program still loads on both engines and they still
 * differ in the same fields (r0, error, memory, ...), so that the reduction does not wander to another bug.
 * {@link #shrink} does the same for any property of a case.
 */
public final class Reducer {
    private static final Pattern FIRST_REGISTER = Pattern.compile("^\\s*(?!call|exit|ja|j\\w+|st[bhwd]|stx|lock)\\w+\\s+%r(\\d)\\b");
    private static final Pattern LAST_IMMEDIATE = Pattern.compile("(,\\s*)(-?0x[0-9a-fA-F]+|-?\\d+)(\\s*)$");
    private static final int MAX_ATTEMPTS = 3000;

    private final DifferentialRunner runner;
    private int attempts;

    public Reducer(DifferentialRunner runner) {
        this.runner = runner;
    }

    /** The reduced case and the comparison that shows its divergence. */
    public record Reduced(DiffCase reproducer, DifferentialRunner.Comparison comparison, int attempts) {
    }

    public Reduced reduce(DiffCase original, DifferentialRunner.Comparison divergence) {
        List<String> fields = Outcome.fieldsOf(divergence.differences());
        Predicate<DiffCase> stillDiverges = c -> {
            DifferentialRunner.Comparison comparison = runner.compare(c);
            return comparison.diverges() && !rejected(comparison.interpreter()) && !rejected(comparison.nativeEngine())
                            && Outcome.fieldsOf(comparison.differences()).equals(fields);
        };
        DiffCase current = shrinkCounted(original, stillDiverges);
        return new Reduced(current, runner.compare(current), attempts);
    }

    /** Whether an engine that took part refused the variant (a variant that does not verify shows nothing). */
    private static boolean rejected(Outcome outcome) {
        return outcome != null && "rejected".equals(outcome.errorKind());
    }

    /**
     * The smallest case found that still has the property {@code keep} tests (which the original must have):
     * the same passes as {@link #reduce}, for any property, e.g. a verdict only one verifier gives.
     */
    public static DiffCase shrink(DiffCase original, Predicate<DiffCase> keep) {
        return new Reducer(null).shrinkCounted(original, keep);
    }

    private DiffCase shrinkCounted(DiffCase original, Predicate<DiffCase> property) {
        Predicate<DiffCase> stillDiverges = c -> {
            attempts++;
            return property.test(c);
        };
        DiffCase current = original;
        boolean changed = true;
        for (int round = 0; round < 4 && changed && attempts < MAX_ATTEMPTS; round++) {
            String before = current.text();
            current = removeChunks(current, stillDiverges);
            current = rewriteLines(current, stillDiverges);
            changed = !before.equals(current.text());
        }
        if (current.input() != null && attempts < MAX_ATTEMPTS) {
            DiffCase zeroInput = current.withInput(new byte[current.input().length]);
            if (stillDiverges.test(zeroInput)) {
                current = zeroInput;
            }
        }
        DiffCase tidy = current.withText(withoutUnusedLabels(current.text()));
        if (!tidy.text().equals(current.text()) && stillDiverges.test(tidy)) {
            current = tidy;
        }
        return current;
    }

    /** Drops label lines that no instruction names any more. */
    private static String withoutUnusedLabels(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.matches("\\w+:")) {
                String label = line.substring(0, line.length() - 1);
                if (!Pattern.compile("\\s" + label + "\\s*$", Pattern.MULTILINE).matcher(text).find()) {
                    continue;
                }
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /** ddmin over removable lines: instructions and prog-array slots, never maps, programs or labels. */
    private DiffCase removeChunks(DiffCase c, Predicate<DiffCase> keep) {
        List<String> lines = new ArrayList<>(List.of(c.text().split("\n")));
        for (int chunk = Math.max(1, removable(lines).size() / 2); chunk >= 1 && attempts < MAX_ATTEMPTS; chunk /= 2) {
            for (int start = 0; attempts < MAX_ATTEMPTS;) {
                List<Integer> candidates = removable(lines);
                if (start >= candidates.size()) {
                    break;
                }
                List<Integer> drop = candidates.subList(start, Math.min(candidates.size(), start + chunk));
                List<String> trial = new ArrayList<>();
                for (int i = 0; i < lines.size(); i++) {
                    if (!drop.contains(i)) {
                        trial.add(lines.get(i));
                    }
                }
                if (keep.test(c.withText(String.join("\n", trial) + "\n"))) {
                    lines = trial;
                } else {
                    start += chunk;
                }
            }
        }
        return c.withText(String.join("\n", lines) + "\n");
    }

    private static List<Integer> removable(List<String> lines) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            boolean instruction = lines.get(i).startsWith(" ") && !line.isEmpty() && !line.startsWith("#");
            if (instruction || line.startsWith(".slot")) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    /** One line at a time: {@code mov rX, 0} in place of an instruction writing rX, then immediates 0 and 1. */
    private DiffCase rewriteLines(DiffCase c, Predicate<DiffCase> keep) {
        List<String> lines = new ArrayList<>(List.of(c.text().split("\n")));
        for (int i = 0; i < lines.size() && attempts < MAX_ATTEMPTS; i++) {
            String line = lines.get(i);
            if (!line.startsWith(" ")) {
                continue;
            }
            List<String> variants = new ArrayList<>();
            Matcher register = FIRST_REGISTER.matcher(line);
            if (register.find() && !line.trim().startsWith("mov %r" + register.group(1) + ", 0")) {
                variants.add("    mov %r" + register.group(1) + ", 0");
            }
            Matcher immediate = LAST_IMMEDIATE.matcher(line);
            if (immediate.find() && !immediate.group(2).equals("0") && !immediate.group(2).equals("1")) {
                variants.add(immediate.replaceFirst("$10$3"));
                variants.add(immediate.replaceFirst("$11$3"));
            }
            for (String variant : variants) {
                List<String> trial = new ArrayList<>(lines);
                trial.set(i, variant);
                if (keep.test(c.withText(String.join("\n", trial) + "\n"))) {
                    lines = trial;
                    break;
                }
            }
        }
        return c.withText(String.join("\n", lines) + "\n");
    }
}
