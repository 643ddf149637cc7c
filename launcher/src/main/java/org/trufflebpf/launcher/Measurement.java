package org.trufflebpf.launcher;

import java.util.Arrays;

/** Nanoseconds per run over measurement rounds: the median round and the fastest and slowest. */
record Measurement(double median, double min, double max, long runs) {
    /** Runs the measured code {@code times} times. */
    interface Batch {
        void run(long times) throws Exception;
    }

    /**
     * Warms up for {@code warmup} seconds, then measures {@code rounds} rounds of about {@code seconds} each.
     * Batches grow until one takes a millisecond, to keep the clock out of short runs' times.
     */
    static Measurement measure(Batch batch, double warmup, double seconds, int rounds) throws Exception {
        long size = 1;
        long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
        do {
            long start = System.nanoTime();
            batch.run(size);
            if (System.nanoTime() - start < 1_000_000 && size < (1 << 20)) {
                size *= 2;
            }
        } while (System.nanoTime() < warmupEnd);
        double[] perRun = new double[rounds];
        long total = 0;
        for (int round = 0; round < rounds; round++) {
            long runs = 0;
            long start = System.nanoTime();
            long elapsed;
            do {
                batch.run(size);
                runs += size;
                elapsed = System.nanoTime() - start;
                if (elapsed < 1_000_000 && size < (1 << 20)) {
                    size *= 2;
                }
            } while (elapsed < seconds * 1e9);
            perRun[round] = (double) elapsed / runs;
            total += runs;
        }
        return of(perRun, total);
    }

    static Measurement of(double[] perRun, long runs) {
        double[] sorted = perRun.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Measurement(median, sorted[0], sorted[n - 1], runs);
    }
}
