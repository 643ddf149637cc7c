package org.trufflebpf.tests;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code bpf} command in a child JVM with this JVM's options and class path: for programs that may
 * crash the host (an escape that corrupts memory the JVM reads), so that a crash fails one test instead of
 * ending the whole test run.
 */
final class ChildJvm {
    /** Exit codes from 128 on: the child died of a signal (the JVM aborts with 134 after SIGSEGV). */
    static final int FIRST_CRASH_CODE = 128;

    /** The child's exit code and everything it printed (stdout and stderr interleaved). */
    record Result(int exitCode, String output) {
        boolean crashed() {
            return exitCode >= FIRST_CRASH_CODE;
        }

        /** The last lines, enough for an assertion message. */
        String tail() {
            String[] lines = output.split("\n");
            return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
        }
    }

    private ChildJvm() {
    }

    static Result bpf(Path errorFiles, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        return bpf(errorFiles, timeoutSeconds, List.of(), args);
    }

    /** With {@code jvmOptions} after this JVM's own (so that they win, e.g. a smaller {@code -Xss}). */
    static Result bpf(Path errorFiles, long timeoutSeconds, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(jvmOptions);
        // A crash report goes to the test's temporary folder, not into the working tree.
        command.add("-XX:ErrorFile=" + errorFiles.resolve("hs_err_%p.log"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("org.trufflebpf.launcher.BpfCommand");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bpf " + String.join(" ", args) + " ran longer than " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
