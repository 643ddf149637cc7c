package org.trufflebpf.asm;

import java.util.regex.Pattern;

/**
 * Names in assembly that are not plain identifiers: objects name programs and functions after their ELF
 * sections ({@code kprobe/9}, {@code from-container}, {@code 1/0x1010}), which read as mnemonics or operands.
 * Listings write such a name in double quotes ({@code "kprobe/9":}, backslash before {@code "} and
 * {@code \}) and the assembler reads it back.
 */
final class QuotedNames {
    private QuotedNames() {
    }

    /** What labels and program names may be without quotes. */
    static final Pattern PLAIN = Pattern.compile("[A-Za-z_.$][A-Za-z0-9_.$]*");

    /** The name as a listing writes it: as is when plain, else quoted. */
    static String quote(String name) {
        if (PLAIN.matcher(name).matches()) {
            return name;
        }
        return '"' + name.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** The end (exclusive) of the quoted name starting at {@code start} of {@code text}, or -1 when it is not closed. */
    static int quotedEnd(String text, int start) {
        for (int i = start + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The name a word stands for: a quoted word unquoted, any other as is. */
    static String unquote(String word) {
        if (word.length() < 2 || word.charAt(0) != '"' || quotedEnd(word, 0) != word.length()) {
            return word;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < word.length() - 1; i++) {
            char c = word.charAt(i);
            if (c == '\\') {
                i++;
                c = word.charAt(i);
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
