package org.trufflebpf.runtime;

import java.util.Optional;
import java.util.ServiceLoader;

import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * How the {@code bpf} language reaches a native engine without depending on it: {@code jit-x64} implements this
 * interface and registers it in {@code META-INF/services/org.trufflebpf.runtime.NativeEngineProvider}; the
 * language finds it with {@link ServiceLoader} when {@code bpf.Engine=native}. Both engines share this runtime:
 * the native code reads the same maps (their headers and value memory), calls the same {@link Helpers}, and
 * obeys the same {@link RunState} (stack, budget by {@link BasicBlocks}, tail-call counter, memory regions).
 */
public interface NativeEngineProvider {
    /** The engine's name as {@code bpf.Engine} selects it, e.g. {@code native}. */
    String name();

    /**
     * Compiles a program that has been verified and context-rewritten ({@link ContextRewriter}); lddw map
     * references resolve against {@code maps}. The code implements one tail-call counter ABI (spec §8.4), laid
     * out exactly as the spec gives it, and serves only runs under that ABI.
     */
    NativeCode compile(Program program, MapSet maps, TailCallAbi abi);

    /** One compiled program. */
    interface NativeCode extends AutoCloseable {
        /** The tail-call counter ABI the code implements. */
        TailCallAbi tailCallAbi();

        /** Where tail calls into this program jump (what prog arrays hold for it). */
        long entryAddress();

        /** Bytes of executable memory the code holds (whole pages: the program's code and its own runtime stubs). */
        long codeBytes();

        /**
         * Runs the program once on the current thread within {@code state} ({@link RunState#current()} is
         * {@code state} during the call); returns r0. Errors are {@link org.trufflebpf.model.BpfError}s with
         * their place, budget exhaustion with kind BUDGET.
         */
        long run(RunState state, long r1, long r2);

        /**
         * Whether every run ends soon without ever calling the host (no calls, no loops), so that the host need
         * not be able to stop it: it runs as a plain call, outside any blocked section.
         */
        default boolean endsWithoutHost() {
            return false;
        }

        /**
         * Whether {@link #runRepeated} serves: no run of the code calls the host but to check an access or poll for
         * cancellation, so a run changes nothing of the state but the bytes {@link RepeatedInput} puts back.
         */
        default boolean repeatsInNativeLoop() {
            return false;
        }

        /**
         * {@code times} runs within {@code state}, set up once, in a native loop that puts {@code again}'s input
         * and context back before each run (as BPF_PROG_TEST_RUN's repeat); returns the last run's r0, or throws
         * as {@link #run} does for the first run that failed. The state's cancel flag, when set, is seen between
         * runs too.
         */
        default long runRepeated(RunState state, RepeatedInput again, long times) {
            throw new UnsupportedOperationException("no native repeat loop");
        }

        /**
         * The native code as it is now, under the BPF instructions it came from, for {@code bpf jit-dump}; the
         * shared runtime stubs too when {@code withStubs}.
         */
        String disassemble(boolean withStubs);

        /**
         * The code the program would get without run-time checks (the kernel's JIT output and nothing else), for
         * {@code bpf jit-dump --unchecked}; null when the program is not verified, as only verified programs may
         * run unchecked. It is compiled for the dump and never runs.
         */
        String disassembleUnchecked();

        /**
         * What frees the code memory and nothing else, holding nothing that keeps the program reachable, so it may
         * run once the program's module is unreachable. Whoever runs it makes sure that no run can be in the code
         * (the context's grace period) and that no prog array holds it. Runs once.
         */
        Runnable releaser();

        /** Frees the code once no run of its context can be inside it (see {@link GracePeriod#afterActiveRuns}). */
        @Override
        void close();
    }

    /** The provider named {@code name} on the class path, if any. */
    static Optional<NativeEngineProvider> find(String name) {
        for (NativeEngineProvider provider : ServiceLoader.load(NativeEngineProvider.class, NativeEngineProvider.class.getClassLoader())) {
            if (provider.name().equals(name)) {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }
}
