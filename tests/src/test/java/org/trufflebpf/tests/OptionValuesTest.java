package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The options that take one of a few names are parsed when the context is built: a bad name is refused there,
 * through the Polyglot API, with a message that lists the names allowed; a good one (or an alias) takes effect.
 */
class OptionValuesTest {
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
                    bpf.TailCallAbi  | by-reference | bpf.TailCallAbi takes counter-by-value or shared, not 'by-reference'
                    bpf.Engine       | jit          | bpf.Engine takes interpreter, native or kernel, not 'jit'
                    bpf.Engine       | Native       | bpf.Engine takes interpreter, native or kernel, not 'Native'
                    bpf.Context      | kprobe       | bpf.Context takes raw, socket, tc or xdp, not 'kprobe'
                    bpf.KernelEngine | off          | bpf.KernelEngine takes enabled or disabled, not 'off'
                    """)
    void aBadNameIsRefusedWhenTheContextIsBuiltListingTheAllowedNames(String option, String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Context.newBuilder("bpf").option(option, value).build());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void anEmptyContextFollowsTheSectionAndANamedOneOverridesIt() {
        String source = ".program prog socket\nmov %r0, 0\nexit\n";
        try (Context context = Context.newBuilder("bpf").option("bpf.Context", "").build()) {
            assertEquals("socket_filter", BpfRunner.evalAsm(context, source, "section.s").getMember("prog").getMember("type").asString());
        }
        try (Context context = Context.newBuilder("bpf").option("bpf.Context", "xdp").build()) {
            assertEquals("xdp", BpfRunner.evalAsm(context, source, "override.s").getMember("prog").getMember("type").asString());
        }
    }

    /** The hierarchy test: 34 tail calls under the shared counter; by value, far more, so a small budget stops it. */
    @Test
    void theTailCallAbiAndItsAliasesTakeEffect() throws IOException {
        String hierarchy = Files.readString(Path.of("src/test/resources/tailcall/tailcall_bpf2bpf_hierarchy_1.s"));
        for (String shared : new String[] {"shared", "shared_counter"}) {
            try (Context context = Context.newBuilder("bpf").option("bpf.TailCallAbi", shared).build()) {
                Value module = BpfRunner.evalAsm(context, hierarchy, "hierarchy.s");
                assertEquals(1, module.getMember("entry").execute(new byte[54]).asLong());
                assertEquals(34, module.getMember("count").getArrayElement(0).asLong(), shared);
            }
        }
        try (Context context = Context.newBuilder("bpf").option("bpf.TailCallAbi", "counter-by-value").option("bpf.InstructionLimit", "100000").build()) {
            Value module = BpfRunner.evalAsm(context, hierarchy, "hierarchy.s");
            PolyglotException e = assertThrows(PolyglotException.class, () -> module.getMember("entry").execute(new byte[54]));
            assertTrue(e.getMessage().contains("instruction"), e.getMessage());
        }
    }
}
