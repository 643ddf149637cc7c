package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The code region's bookkeeping never hands out a range twice and gets every byte back. */
class FreeRangesTest {
    private static final long PAGE = 4096;

    @Test
    void takenRangesNeverOverlapUnderRandomTakesAndGives() {
        long base = 1L << 40;
        long size = 4096 * PAGE;
        FreeRanges free = new FreeRanges(base, size);
        List<long[]> taken = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int step = 0; step < 5_000; step++) {
            if (!taken.isEmpty() && random.nextInt(3) == 0) {
                long[] range = taken.remove(random.nextInt(taken.size()));
                free.give(range[0], range[1]);
                continue;
            }
            long length = PAGE * (1 + random.nextInt(8));
            long start = free.take(length);
            if (start < 0) {
                continue;
            }
            assertTrue(start >= base && start + length <= base + size, "inside the range");
            for (long[] other : taken) {
                assertTrue(start + length <= other[0] || other[0] + other[1] <= start,
                                String.format("step %d: [%x, +%x) overlaps [%x, +%x)", step, start, length, other[0], other[1]));
            }
            taken.add(new long[] {start, length});
        }
        for (long[] range : taken) {
            free.give(range[0], range[1]);
        }
        assertEquals(base, free.take(size), "everything coalesced back into one range");
    }
}
