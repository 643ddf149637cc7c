package org.trufflebpf.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell snippets of a Markdown file, as {@link ReadmeSnippetsTest} runs them. Two kinds of fenced block are
 * shell snippets:
 * <ul>
 * <li>a block fenced as {@code sh}, {@code bash} or {@code shell}: every line that is not blank or a comment is a
 * command, which must succeed;</li>
 * <li>a block fenced without a language (or as {@code console}) with lines that start with {@code $ } (a transcript): each such line is a command, and the lines
 * up to the next command are what it prints; a line {@code ...} stands for any number of lines and {@code ...}
 * inside a line for any text.</li>
 * </ul>
 * An HTML comment {@code <!-- readme-test: expect "TEXT" -->} or {@code <!-- readme-test: until "TEXT" -->} just
 * above a block says what its output must contain: {@code until} is for a command that does not end by itself (a
 * debugger waiting for its client), which is stopped once TEXT appears.
 */
record ReadmeSnippets(List<Snippet> snippets) {
    /** How a snippet's output is checked. */
    enum Check {
        /** Transcript: each command's output matches the lines printed under it. */
        TRANSCRIPT,
        /** Commands that must succeed (and print {@code text}, when it is not null). */
        SUCCEEDS,
        /** Commands that run until they print {@code text}. */
        UNTIL
    }

    record Command(int line, String text, List<String> expected) {
    }

    record Snippet(int line, Check check, String text, List<Command> commands) {
        String name() {
            return "README.md:" + line + ": " + commands.getFirst().text();
        }
    }

    private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*(\\w*)\\s*$");
    private static final Pattern DIRECTIVE = Pattern.compile("^\\s*<!--\\s*readme-test:\\s*(expect|until)\\s+\"(.*)\"\\s*-->\\s*$");

    static ReadmeSnippets parse(String markdown) {
        List<String> lines = markdown.lines().toList();
        List<Snippet> snippets = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int end = i + 1;
            while (end < lines.size() && !FENCE.matcher(lines.get(end)).matches()) {
                end++;
            }
            List<String> body = lines.subList(i + 1, Math.min(end, lines.size()));
            Matcher directive = i > 0 ? DIRECTIVE.matcher(lines.get(previousNonBlank(lines, i))) : null;
            boolean directed = directive != null && directive.matches();
            String language = open.group(1);
            if (language.equals("sh") || language.equals("bash") || language.equals("shell")) {
                List<Command> commands = new ArrayList<>();
                for (int k = 0; k < body.size(); k++) {
                    String text = body.get(k).strip();
                    if (!text.isEmpty() && !text.startsWith("#")) {
                        commands.add(new Command(i + 2 + k, text, List.of()));
                    }
                }
                Check check = directed && directive.group(1).equals("until") ? Check.UNTIL : Check.SUCCEEDS;
                snippets.add(new Snippet(i + 1, check, directed ? directive.group(2) : null, commands));
            } else if ((language.isEmpty() || language.equals("console")) && body.stream().anyMatch(line -> line.startsWith("$ "))) {
                snippets.add(new Snippet(i + 1, Check.TRANSCRIPT, null, transcript(body, i + 2)));
            }
            i = end;
        }
        return new ReadmeSnippets(snippets);
    }

    private static int previousNonBlank(List<String> lines, int from) {
        int k = from - 1;
        while (k > 0 && lines.get(k).isBlank()) {
            k--;
        }
        return k;
    }

    private static List<Command> transcript(List<String> body, int firstLine) {
        List<Command> commands = new ArrayList<>();
        for (int k = 0; k < body.size(); k++) {
            if (!body.get(k).startsWith("$ ")) {
                if (commands.isEmpty()) {
                    throw new IllegalArgumentException("README.md:" + (firstLine + k) + ": output before the first '$ ' command");
                }
                continue;
            }
            int next = k + 1;
            while (next < body.size() && !body.get(next).startsWith("$ ")) {
                next++;
            }
            commands.add(new Command(firstLine + k, body.get(k).substring(2).strip(), List.copyOf(body.subList(k + 1, next))));
        }
        return commands;
    }

    /**
     * Whether {@code actual} is what {@code expected} shows: line by line, where a line {@code ...} takes any number
     * of lines and {@code ...} within a line any text; trailing blanks do not count.
     */
    static boolean matches(List<String> expected, List<String> actual) {
        return matchFrom(expected, 0, actual, 0);
    }

    private static boolean matchFrom(List<String> expected, int e, List<String> actual, int a) {
        if (e == expected.size()) {
            return a == actual.size();
        }
        String pattern = expected.get(e).stripTrailing();
        if (pattern.equals("...")) {
            for (int skip = a; skip <= actual.size(); skip++) {
                if (matchFrom(expected, e + 1, actual, skip)) {
                    return true;
                }
            }
            return false;
        }
        return a < actual.size() && lineMatches(pattern, actual.get(a).stripTrailing()) && matchFrom(expected, e + 1, actual, a + 1);
    }

    static boolean lineMatches(String pattern, String line) {
        StringBuilder regex = new StringBuilder();
        String[] parts = pattern.split("\\.\\.\\.", -1);
        for (int p = 0; p < parts.length; p++) {
            if (p > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[p]));
        }
        return Pattern.matches(regex.toString(), line);
    }
}
