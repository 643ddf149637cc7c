package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MeasurementTest {
    @Test
    void roundsCountEveryMeasuredRunAndNoneOfTheWarmUp() throws Exception {
        long[] made = new long[1];
        Measurement.Rounds rounds = new Measurement.Rounds(times -> made[0] += times);
        rounds.warmUp(0);
        long warmUpRuns = made[0];
        assertTrue(warmUpRuns >= 1, "the warm-up runs at least one batch");
        double first = rounds.round(0.001);
        double second = rounds.round(0.001);
        assertEquals(made[0] - warmUpRuns, rounds.runs());
        assertTrue(first > 0 && second > 0, first + ", " + second);
    }

    @Test
    void roundsOfTwoBatchesTakingTurnsEachMeasureTheirOwnBatch() throws Exception {
        // A slow batch and a fast one measured in turns: each round's time per run is its own batch's.
        Measurement.Rounds slow = new Measurement.Rounds(times -> spin(times * 20_000));
        Measurement.Rounds fast = new Measurement.Rounds(times -> spin(times * 200));
        slow.warmUp(0.01);
        fast.warmUp(0.01);
        double[] slowPerRun = new double[3];
        double[] fastPerRun = new double[3];
        for (int round = 0; round < 3; round++) {
            slowPerRun[round] = slow.round(0.005);
            fastPerRun[round] = fast.round(0.005);
        }
        Measurement slowTime = Measurement.of(slowPerRun, slow.runs());
        Measurement fastTime = Measurement.of(fastPerRun, fast.runs());
        assertTrue(slowTime.median() > 5 * fastTime.median(), slowTime + " against " + fastTime);
        assertTrue(slowTime.min() <= slowTime.median() && slowTime.median() <= slowTime.max(), slowTime.toString());
    }

    private static volatile long sink;

    private static void spin(long steps) {
        long x = sink;
        for (long i = 0; i < steps; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        sink = x;
    }
}
