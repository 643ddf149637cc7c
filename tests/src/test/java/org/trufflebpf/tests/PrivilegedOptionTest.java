package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bpf.Privileged=false} verifies as for an unprivileged loader: a program that keeps a pointer as a number
 * (here it stores its stack address into a map) is refused when it loads, with the kernel's reason, on every
 * engine; the default, a privileged loader, runs it.
 */
class PrivilegedOptionTest {
    private static final String STORES_ITS_STACK_ADDRESS = """
                    .program prog socket
                    .map values hash key=4 value=8 entries=1
                    stw [%r10-4], 0
                    mov %r2, %r10
                    add %r2, -4
                    lddw %r1, map:values
                    call map_lookup_elem
                    jeq %r0, 0, +1
                    stxdw [%r0], %r10
                    mov %r0, 7
                    exit""";

    private static Value load(Context context) {
        return context.eval(Source.newBuilder("bpf", STORES_ITS_STACK_ADDRESS, "leak.s").mimeType(BpfRunner.ASM_MIME).buildLiteral());
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void anUnprivilegedContextRefusesAPointerStoredIntoAMap(String engine) {
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.Privileged", "false").build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> load(context).getMember("prog").execute((Object) new byte[64]));
            assertTrue(e.getMessage().contains("function 'prog': insn 7 'stxdw ") && e.getMessage().endsWith("': R10 leaks addr into map"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void aPrivilegedContextRunsIt(String engine) {
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
            assertEquals(7, load(context).getMember("prog").execute((Object) new byte[64]).asLong());
        }
    }
}
