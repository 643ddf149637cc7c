package org.trufflebpf.launcher;

import java.util.Arrays;

/** Nanoseconds per run over measurement rounds: the median round and the fastest and slowest. */
record Measurement(double median, double min, double max, long runs) {
    /** Runs the measured code {@code times} times. */
    interface Batch {
        void run(long times) throws Exception;
    }

    /**
     * A batch measured a round at a time, so that rounds of several engines can take turns (a machine whose speed
     * changes while they run then slows all of them alike, not the one whose rounds fell in the slow spell).
     * Batches grow until one takes a millisecond, to keep the clock out of short runs' times.
     */
    static final class Rounds {
        private final Batch batch;
        private long size = 1;
        private long runs;

        Rounds(Batch batch) {
            this.batch = batch;
        }

        /** Runs batches for {@code warmup} seconds (at least one). */
        void warmUp(double warmup) throws Exception {
            long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
            do {
                long start = System.nanoTime();
                batch.run(size);
                if (System.nanoTime() - start < 1_000_000 && size < (1 << 20)) {
                    size *= 2;
                }
            } while (System.nanoTime() < warmupEnd);
        }

        /** One round of about {@code seconds}: nanoseconds per run. */
        double round(double seconds) throws Exception {
            long roundRuns = 0;
            long start = System.nanoTime();
            long elapsed;
            do {
                batch.run(size);
                roundRuns += size;
                elapsed = System.nanoTime() - start;
                if (elapsed < 1_000_000 && size < (1 << 20)) {
                    size *= 2;
                }
            } while (elapsed < seconds * 1e9);
            runs += roundRuns;
            return (double) elapsed / roundRuns;
        }

        /** The runs all rounds made. */
        long runs() {
            return runs;
        }
    }

    static Measurement of(double[] perRun, long runs) {
        double[] sorted = perRun.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Measurement(median, sorted[0], sorted[n - 1], runs);
    }
}
