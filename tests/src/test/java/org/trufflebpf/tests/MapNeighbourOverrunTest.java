package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.Outcome;

/**
 * An unverified program that misses a map's value by a few bytes is refused on both engines with the same words,
 * whatever the C heap put beside that map: the maps of a module are allocated apart (by guards of no map's), so an
 * overrun never lands in a neighbour's values. Found by {@code bpf fuzz --launder}: after a long campaign the heap
 * put global data 8 bytes after an array map's values, and a store 14 bytes before {@code .data} passed the
 * interpreter's region check (it wrote the array) while the native engine, whose heap differed, refused it.
 */
class MapNeighbourOverrunTest {
    private static final int MAPS = 12;
    /** Offsets just outside a value of {@code size} bytes: before it, and from its end on. */
    private static final int[] BEFORE = {-16, -14, -8, -1};
    private static final int[] PAST = {0, 7, 15};

    /** Twelve single-entry arrays of different sizes, global data, and a store or load of {@code width} bytes at {@code target+offset}. */
    private static String program(String target, int offset, int width, boolean write) {
        StringBuilder source = new StringBuilder();
        for (int i = 0; i < MAPS; i++) {
            source.append(".map a").append(i).append(" array key=4 value=").append(size(i)).append(" entries=1\n");
        }
        source.append(".global .data size=32\n.program main xdp\n");
        source.append("    lddw %r2, map_value:").append(target).append("+0\n");
        source.append("    ").append(access(offset, width, write)).append("\n");
        source.append("    mov %r0, 0\n    exit\n");
        return source.toString();
    }

    /** {@code stX [%r2+offset], 1} or {@code ldxX %r0, [%r2+offset]} of {@code width} bytes. */
    private static String access(int offset, int width, boolean write) {
        String size = switch (width) {
            case 1 -> "b";
            case 2 -> "h";
            case 4 -> "w";
            default -> "dw";
        };
        return write ? "st" + size + " [%r2" + signed(offset) + "], 1" : "ldx" + size + " %r0, [%r2" + signed(offset) + "]";
    }

    private static int size(int map) {
        return 8 * (1 + map % 4);
    }

    private static String signed(int offset) {
        return offset < 0 ? Integer.toString(offset) : "+" + offset;
    }

    @Test
    void aByteJustOutsideAnyMapsValueIsRefusedOnBothEnginesAndNamedByThatMap() {
        try (DifferentialRunner runner = new DifferentialRunner(Map.of("bpf.Verify", "false"))) {
            for (int round = 0; round < 3; round++) {
                for (int map = 0; map <= MAPS; map++) {
                    String target = map < MAPS ? "a" + map : ".data";
                    int size = map < MAPS ? size(map) : 32;
                    for (boolean write : new boolean[] {true, false}) {
                        for (int before : BEFORE) {
                            check(runner, target, size, before, 1, write);
                        }
                        for (int past : PAST) {
                            check(runner, target, size, size + past, 1, write);
                        }
                    }
                }
            }
        }
    }

    @Test
    void anAccessThatStartsInsideAMapsValueAndEndsPastItIsRefusedOnBothEngines() {
        // Its last byte, or its last width - 1 bytes, lie in the guard after the value.
        try (DifferentialRunner runner = new DifferentialRunner(Map.of("bpf.Verify", "false"))) {
            for (int map = 0; map <= MAPS; map++) {
                String target = map < MAPS ? "a" + map : ".data";
                int size = map < MAPS ? size(map) : 32;
                for (int width : new int[] {2, 4, 8}) {
                    for (int offset : new int[] {size - width + 1, size - 1}) {
                        for (boolean write : new boolean[] {true, false}) {
                            check(runner, target, size, offset, width, write);
                        }
                    }
                }
            }
        }
    }

    private static void check(DifferentialRunner runner, String target, int size, int offset, int width, boolean write) {
        String name = target.replace('.', '_') + (write ? "-store" : "-load") + width + "b" + offset + ".s";
        DifferentialRunner.Comparison comparison = runner.compare(DiffCase.assembly(name, program(target, offset, width, write), null, null));
        assertFalse(comparison.diverges(), () -> name + "\n" + comparison.report());
        Outcome outcome = comparison.interpreter();
        assertEquals("runtime", outcome.errorKind(), () -> name + ": " + outcome.summary());
        String place = "map '" + target + "'" + signed(offset);
        assertTrue(outcome.error().contains((write ? "write" : "read") + " of " + width + " bytes at " + place + " is out of bounds: map '" + target + "' is " + size
                        + " bytes"), () -> name + ": " + outcome.error());
    }
}
