package org.trufflebpf.runtime;

import java.util.Locale;

/**
 * Formats a {@code bpf_trace_printk} message as the kernel does for the conversions it accepts: %d %i %u %x
 * %X %c %p %%, with optional l / ll length modifiers (the kernel treats every argument as 64-bit, narrowing
 * to 32 bits without a modifier), at most three arguments.
 */
final class TraceFormat {
    private TraceFormat() {
    }

    static String format(String format, long... args) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            int j = i + 1;
            if (format.charAt(j) == '%') {
                out.append('%');
                i = j;
                continue;
            }
            int longs = 0;
            while (j < format.length() && format.charAt(j) == 'l') {
                longs++;
                j++;
            }
            if (j >= format.length()) {
                out.append(format, i, j);
                break;
            }
            char conversion = format.charAt(j);
            long value = next < args.length ? args[next] : 0;
            boolean wide = longs > 0;
            switch (conversion) {
                case 'd', 'i' -> out.append(wide ? value : (int) value);
                case 'u' -> out.append(wide ? Long.toUnsignedString(value) : Integer.toUnsignedString((int) value));
                case 'x' -> out.append(wide ? Long.toHexString(value) : Integer.toHexString((int) value));
                case 'X' -> out.append((wide ? Long.toHexString(value) : Integer.toHexString((int) value)).toUpperCase(Locale.ROOT));
                case 'c' -> out.append((char) (value & 0xff));
                case 'p' -> out.append("0x").append(Long.toHexString(value));
                default -> {
                    out.append(format, i, j + 1);
                    i = j;
                    continue;
                }
            }
            next++;
            i = j;
        }
        return out.toString();
    }
}
