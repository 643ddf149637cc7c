package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/java25-env}, which bin/bpf and bin/test source: the Capstone check is reliable, runs once, only for
 * commands that disassemble native code, and a failed install is explained instead of failing the command; the
 * JDK's version is read without starting a JVM. Each case runs the script's functions in bash under
 * {@code set -euo pipefail}, as the scripts do, with stand-ins for apt-get, ldconfig and id that log their calls.
 */
class JavaEnvScriptTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    @TempDir Path dir;
    private Path fakeBin;
    private Path calls;
    private Path marker;
    private Path libDir;

    private record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void setUp() throws IOException {
        fakeBin = Files.createDirectories(dir.resolve("bin"));
        libDir = Files.createDirectories(dir.resolve("lib"));
        calls = dir.resolve("calls.log");
        marker = dir.resolve("target/capstone-check");
        Files.writeString(calls, "");
    }

    /** A stand-in command that logs its name and arguments, prints OUTPUT and exits with STATUS. */
    private void fake(String name, String output, int status) throws IOException {
        Path script = fakeBin.resolve(name);
        Files.writeString(script, "#!/bin/sh\necho \"" + name + " $*\" >> '" + calls + "'\nprintf '%s' '" + output + "'\nexit " + status + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Result bash(String script, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c",
                        "set -euo pipefail\nROOT='" + ROOT + "'\nsource \"$ROOT/bin/java25-env\"\n" + script);
        builder.environment().put("CAPSTONE_MARKER", marker.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES));
        return new Result(process.exitValue(), out, err);
    }

    /** The environment that puts the stand-ins first on PATH and looks for the library only in LIB_DIRS. */
    private Map<String, String> withFakes(String libDirs) {
        return Map.of("PATH", fakeBin + ":" + System.getenv("PATH"), "CAPSTONE_LIB_DIRS", libDirs);
    }

    private static boolean systemHasCapstone() {
        return List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib").stream()
                        .anyMatch(d -> Files.exists(Path.of(d, "libcapstone.so.4")) || Files.exists(Path.of(d, "libcapstone.so.5")) || Files.exists(Path.of(d, "libcapstone.so")));
    }

    @Test
    void theLibraryCheckFindsTheSystemsCapstone200TimesOutOf200ByFolderAndByLoaderCache() throws Exception {
        Assumptions.assumeTrue(systemHasCapstone(), "Capstone is not installed here");
        String loop = "for i in $(seq 200); do capstone_present || { echo \"missed at try $i\"; exit 1; }; done; echo ok";
        assertEquals(new Result(0, "ok\n", ""), bash(loop, Map.of()));
        // With no folder to look in, only the loader's cache can answer: the path that used a pipeline before.
        assertEquals(new Result(0, "ok\n", ""), bash(loop, Map.of("CAPSTONE_LIB_DIRS", dir.resolve("nowhere").toString())));
    }

    @Test
    void theFirstCheckLeavesAMarkerAndLaterCallsProbeNothing() throws Exception {
        fake("ldconfig", "", 0);
        fake("apt-get", "", 0);
        Files.writeString(libDir.resolve("libcapstone.so.4"), "");
        Result first = bash("ensure_capstone; echo done", withFakes(libDir.toString()));
        assertEquals(new Result(0, "done\n", ""), first);
        assertEquals("present\n", Files.readString(marker));
        // The library gone and no folder to look in: the marker alone answers, nothing is probed or installed.
        Files.delete(libDir.resolve("libcapstone.so.4"));
        Result later = bash("ensure_capstone; ensure_capstone; ensure_capstone; echo done", withFakes(dir.resolve("nowhere").toString()));
        assertEquals(new Result(0, "done\n", ""), later);
        assertEquals("", Files.readString(calls), "later calls should run neither ldconfig nor apt-get");
    }

    @Test
    void aFailedInstallSaysWhatFailedAndHowToInstallByHandAndTheCommandGoesOn() throws Exception {
        fake("ldconfig", "", 0);
        fake("id", "0", 0);
        fake("apt-get", "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)\n", 100);
        Result r = bash("ensure_capstone; echo still running", withFakes(libDir.toString()));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("still running\n", r.out());
        assertTrue(r.err().contains("installing libcapstone4 failed: E: Could not get lock /var/lib/dpkg/lock-frontend"), r.err());
        assertTrue(r.err().contains("install it by hand with 'apt-get install libcapstone4' as root"), r.err());
        assertTrue(Files.readString(calls).contains("apt-get install"), "the install should have been tried");
        assertEquals("absent\n", Files.readString(marker));
        // Tried once: the next call says so again but leaves apt-get alone.
        Files.writeString(calls, "");
        Result again = bash("ensure_capstone; echo still running", withFakes(libDir.toString()));
        assertEquals("still running\n", again.out());
        assertTrue(again.err().contains("install it by hand"), again.err());
        assertFalse(Files.readString(calls).contains("apt-get"), "apt-get ran again: " + Files.readString(calls));
    }

    @Test
    void aLibraryInstalledByHandAfterAFailedInstallIsFound() throws Exception {
        fake("ldconfig", "", 0);
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, "absent\n");
        Files.writeString(libDir.resolve("libcapstone.so.4"), "");
        assertEquals(new Result(0, "", ""), bash("ensure_capstone", withFakes(libDir.toString())));
        assertEquals("present\n", Files.readString(marker));
    }

    @Test
    void onlyJitDumpChecksForOrInstallsCapstone() throws Exception {
        fake("ldconfig", "", 0);
        fake("id", "0", 0);
        fake("apt-get", "", 100);
        for (String command : List.of("run", "verify", "disasm", "inspect", "bench", "fuzz", "conformance-plugin", "help", "")) {
            Result r = bash("ensure_capstone_for_command '" + command + "'", withFakes(libDir.toString()));
            assertEquals(new Result(0, "", ""), r, command);
        }
        assertEquals("", Files.readString(calls), "no command but jit-dump should probe or install");
        assertFalse(Files.exists(marker));
        Result jitDump = bash("ensure_capstone_for_command jit-dump", withFakes(libDir.toString()));
        assertEquals(0, jitDump.exit(), jitDump.toString());
        assertTrue(Files.readString(calls).contains("apt-get install"), "jit-dump should try to install the missing library");
    }

    @Test
    void aJdksVersionComesFromItsReleaseFileWithoutStartingIt() throws Exception {
        Path jdk = Files.createDirectories(dir.resolve("jdk/bin"));
        Files.writeString(jdk.getParent().resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"25.0.3\"\n");
        Path java = jdk.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"java $*\" >> '" + calls + "'\nexit 1\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(new Result(0, "25\n", ""), bash("java_major '" + jdk.getParent() + "'", Map.of()));
        assertEquals("", Files.readString(calls), "the JDK's java should not have been started");
    }
}
