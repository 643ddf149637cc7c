package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.Test;

/**
 * The launcher runs as a module, as {@code bin/bpf} starts it: Truffle finds the language through the provider
 * its module declares, the language finds the native engine as a service of another module, and Graal compiles
 * (the optimizing runtime, not the interpreter-only fallback).
 */
class ModulePathTest {
    private static final String PROGRAM = "mov %r0, 7\nexit\n";

    @Test
    void theLauncherIsTheModuleBinBpfStarts() {
        assertEquals("org.trufflebpf.launcher", BpfCommand.class.getModule().getName());
    }

    @Test
    void theLauncherAndItsFuzzerRequireThePolyglotApiAndNoneOfOurModules() {
        List<String> ours = BpfCommand.class.getModule().getDescriptor().requires().stream().map(ModuleDescriptor.Requires::name)
                        .filter(name -> name.startsWith("org.trufflebpf")).toList();
        assertTrue(ours.isEmpty(), "the launcher requires " + ours);
    }

    @Test
    void truffleFindsTheLanguageModuleAndRunsItOnTheOptimizingRuntime() {
        try (Context context = Context.newBuilder("bpf").build()) {
            assertNotEquals("Interpreted", context.getEngine().getImplementationName(), "Truffle fell back to the interpreter-only runtime");
            assertEquals(7, context.eval(Source.newBuilder("bpf", PROGRAM, "seven.s").buildLiteral()).getMember("seven").execute(new byte[8]).asLong());
        }
    }

    @Test
    void theLanguageFindsTheNativeEngineModuleAsAService() {
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", "native").build()) {
            assertEquals(7, context.eval(Source.newBuilder("bpf", PROGRAM, "seven.s").buildLiteral()).getMember("seven").execute(new byte[8]).asLong());
        }
    }
}
