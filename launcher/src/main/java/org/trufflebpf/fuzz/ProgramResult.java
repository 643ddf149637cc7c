package org.trufflebpf.fuzz;

import java.util.Set;
import java.util.TreeSet;

/**
 * What one program of a campaign gave, as a worker process reports it to the campaign: the interpreter's error
 * kind and message (null when it ran to the end), how the kernel took part, when the engines diverged or the
 * worker crashed one line saying so (with the reproducer's path when one was written), and the program's
 * instruction forms ({@link InstructionCoverage}; empty for a crash, whose program the worker could not finish).
 */
public record ProgramResult(long seed, String errorKind, String error, DifferentialRunner.KernelResult kernelResult, String kernelNote, String finding,
                Set<String> forms) {
    /** Forms are joined with this in an answer line (a form holds spaces and '=', never this). */
    private static final String FORM_SEPARATOR = ";";

    public ProgramResult {
        forms = Set.copyOf(forms);
    }

    /** A result that covers no instruction form: a crash, or a worker's own failure. */
    public ProgramResult(long seed, String errorKind, String error, DifferentialRunner.KernelResult kernelResult, String kernelNote, String finding) {
        this(seed, errorKind, error, kernelResult, kernelNote, finding, Set.of());
    }

    /** The error kind of a program whose worker died or stopped answering (its finding says which). */
    public static final String CRASH = "crash";

    public boolean isFinding() {
        return finding != null;
    }

    /**
     * Starts every answer line: a worker's stdout also gets what the JVM itself prints there (a crash's banner), which
     * is not an answer.
     */
    static final String ANSWER = "result";

    /** One line of tab-separated fields, tabs, newlines and backslashes escaped: the worker protocol's answer. */
    String encode() {
        return String.join("\t", ANSWER, Long.toString(seed), escape(errorKind), escape(error), kernelResult.name(), escape(kernelNote), escape(finding),
                        escape(String.join(FORM_SEPARATOR, new TreeSet<>(forms))));
    }

    static boolean isAnswer(String line) {
        return line.startsWith(ANSWER + "\t");
    }

    static ProgramResult decode(String line) {
        String[] fields = line.split("\t", -1);
        if (fields.length != 8 || !fields[0].equals(ANSWER)) {
            throw new IllegalArgumentException("not a worker's answer: " + line);
        }
        return new ProgramResult(Long.parseLong(fields[1]), unescape(fields[2]), unescape(fields[3]), DifferentialRunner.KernelResult.valueOf(fields[4]),
                        unescape(fields[5]), unescape(fields[6]), forms(unescape(fields[7])));
    }

    private static Set<String> forms(String joined) {
        return joined == null || joined.isEmpty() ? Set.of() : Set.of(joined.split(FORM_SEPARATOR));
    }

    /** null is the empty field; every other text starts with '=' so that the empty string stays distinct. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder("=");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String unescape(String field) {
        if (field.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                char next = field.charAt(++i);
                sb.append(switch (next) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> next;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
