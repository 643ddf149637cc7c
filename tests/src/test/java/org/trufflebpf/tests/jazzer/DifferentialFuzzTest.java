package org.trufflebpf.tests.jazzer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.trufflebpf.fuzz.DiffCase;
import org.trufflebpf.fuzz.DifferentialRunner;
import org.trufflebpf.fuzz.FuzzCampaign;
import org.trufflebpf.fuzz.Outcome;

/**
 * Bytes become a raw-bytecode program and its input memory, which the interpreter and the native engine run side
 * by side: both must refuse it alike or run it to the same result (r0, memory, error), and neither may fail inside
 * itself. The first byte gives the input's length (0-64), then come the input and the code. The kernel takes no
 * part: its verifier's verdicts differ from ours by design and each load costs a system call. Seeds: conformance
 * programs with their memory, in {@code DifferentialFuzzTestInputs}.
 */
public class DifferentialFuzzTest {
    private static final int MAX_INPUT = 64;
    private static DifferentialRunner runner;

    @FuzzTest(maxDuration = "20s")
    void bothEnginesAgreeOnAnyBytecode(byte[] data) {
        fuzzerTestOneInput(data);
    }

    /** The entry point of the Jazzer CLI and of OSS-Fuzz / ClusterFuzzLite. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length < 1) {
            return;
        }
        int inputLength = Math.min((data[0] & 0xff) % (MAX_INPUT + 1), data.length - 1);
        byte[] input = Arrays.copyOfRange(data, 1, 1 + inputLength);
        byte[] code = Arrays.copyOfRange(data, 1 + inputLength, data.length);
        DifferentialRunner.Comparison comparison = runner().compare(DiffCase.binary("fuzzed.bin", code, null, input));
        check(comparison.interpreter(), "interpreter");
        check(comparison.nativeEngine(), "native");
        if (comparison.diverges()) {
            throw new IllegalStateException("the engines diverge:\n" + comparison.report());
        }
    }

    /** An engine's own failure (not the program's) is a bug, and so is a refusal that is not one line. */
    private static void check(Outcome outcome, String engine) {
        if ("internal".equals(outcome.errorKind())) {
            throw new IllegalStateException(engine + " failed inside itself: " + outcome.error());
        }
        if (outcome.error() != null && outcome.error().contains("\n")) {
            throw new IllegalStateException(engine + "'s error is not one line: " + outcome.error());
        }
    }

    /** One runner for the whole fuzzing run: contexts are costly, and the runner renews them itself. */
    private static synchronized DifferentialRunner runner() {
        if (runner == null) {
            Map<String, String> options = new HashMap<>(FuzzCampaign.options(FuzzCampaign.INSTRUCTION_LIMIT, 1, "counter-by-value"));
            options.put("bpf.KernelEngine", "disabled");
            runner = new DifferentialRunner(options);
        }
        return runner;
    }
}
