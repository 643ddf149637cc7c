package org.trufflebpf.launcher;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Value;

/**
 * The {@code --json} output: one JSON document from plain values (Map with String keys, List, String, Number,
 * Boolean, null) and polyglot values (records become objects, arrays become arrays). Our own few lines rather than a
 * library, since the launcher writes JSON and never reads it. Map order is kept, so documents read in a stable order.
 */
final class JsonWriter {
    private JsonWriter() {
    }

    /** An object with its members in the order given: name, value, name, value, ... (Map.of would reorder them). */
    static Map<String, Object> object(Object... namesAndValues) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            object.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return object;
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String text -> string(text, out);
            case Boolean bool -> out.append(bool);
            case Double d when d.isNaN() || d.isInfinite() -> out.append("null"); // JSON has no such numbers
            case Float f when f.isNaN() || f.isInfinite() -> out.append("null");
            case Number number -> out.append(number);
            case Map<?, ?> map -> {
                out.append('{');
                String separator = "";
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    out.append(separator);
                    string(String.valueOf(entry.getKey()), out);
                    out.append(':');
                    write(entry.getValue(), out);
                    separator = ",";
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ",");
                    write(list.get(i), out);
                }
                out.append(']');
            }
            case Value polyglot -> polyglot(polyglot, out);
            default -> throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
    }

    private static void polyglot(Value value, StringBuilder out) {
        if (value.isNull()) {
            out.append("null");
        } else if (value.isString()) {
            string(value.asString(), out);
        } else if (value.isBoolean()) {
            out.append(value.asBoolean());
        } else if (value.fitsInLong()) {
            out.append(value.asLong());
        } else if (value.isNumber()) {
            write(value.asDouble(), out);
        } else if (value.hasArrayElements()) {
            out.append('[');
            for (long i = 0; i < value.getArraySize(); i++) {
                out.append(i == 0 ? "" : ",");
                polyglot(value.getArrayElement(i), out);
            }
            out.append(']');
        } else if (value.hasMembers()) {
            out.append('{');
            String separator = "";
            for (String key : value.getMemberKeys()) {
                out.append(separator);
                string(key, out);
                out.append(':');
                polyglot(value.getMember(key), out);
                separator = ",";
            }
            out.append('}');
        } else {
            string(value.toString(), out);
        }
    }

    /** A JSON string: quotes, backslashes and control characters escaped; everything else as is (the output is UTF-8). */
    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // Control characters, and lone surrogates, which are not valid UTF-8 on their own.
                    boolean loneSurrogate = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)))
                                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1)));
                    if (c < 0x20 || c == 0x7f || loneSurrogate) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
