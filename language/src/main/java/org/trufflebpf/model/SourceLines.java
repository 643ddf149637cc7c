package org.trufflebpf.model;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A program's line table: from each recorded slot index on, the instructions come from one source line, until
 * the next recorded slot. A slot may record "unknown" (null), so that a function without line info does not
 * inherit the line of the function placed before it.
 */
public final class SourceLines {
    public static final SourceLines NONE = new SourceLines(new TreeMap<>());

    private final int[] slots;
    private final SourceLine[] lines;

    private SourceLines(TreeMap<Integer, SourceLine> bySlot) {
        this.slots = new int[bySlot.size()];
        this.lines = new SourceLine[bySlot.size()];
        int i = 0;
        for (Map.Entry<Integer, SourceLine> entry : bySlot.entrySet()) {
            slots[i] = entry.getKey();
            lines[i] = entry.getValue();
            i++;
        }
    }

    /** A table from slot indexes to the line that starts there (null values: unknown from there on). */
    public static SourceLines of(Map<Integer, SourceLine> bySlot) {
        return bySlot.isEmpty() ? NONE : new SourceLines(new TreeMap<>(bySlot));
    }

    public boolean isEmpty() {
        return slots.length == 0;
    }

    /** Whether the table records a line at {@code slot} itself, rather than the instruction keeping the line before it. */
    public boolean recordsAt(int slot) {
        return Arrays.binarySearch(slots, slot) >= 0;
    }

    /** The line of the instruction at {@code slot}, or null when unknown. */
    public SourceLine lineAt(int slot) {
        int i = Arrays.binarySearch(slots, slot);
        if (i < 0) {
            i = -i - 2;
        }
        return i < 0 ? null : lines[i];
    }
}
