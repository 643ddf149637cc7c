package org.trufflebpf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.Test;

/** The facts the kernel comparison reads come from the language's {@code facts()} member of a module that was only read. */
class ModuleFactsTest {
    private static final String SOURCE = """
                    .map rb ringbuf key=0 value=0 entries=4096
                    .map jumps prog_array key=4 value=4 entries=2
                    .map counts array key=4 value=8 entries=1
                    .program first xdp
                        call ktime_get_ns
                        call 44
                        mov %r0, 2
                        exit
                    .program second socket
                        mov %r0, 0
                        exit
                    """;

    private static ModuleFacts read(String source, Map<String, String> options) {
        Context.Builder builder = Context.newBuilder("bpf").allowExperimentalOptions(true).option("bpf.Prepare", "false");
        options.forEach(builder::option);
        try (Context context = builder.build()) {
            return ModuleFacts.of(context.eval(Source.newBuilder("bpf", source, "facts.s").mimeType(DiffCase.ASM_MIME).buildLiteral()));
        }
    }

    @Test
    void factsNameEachProgramsContextTheHelpersCalledByLinuxNameAndTheRingBuffersAndProgArrays() {
        ModuleFacts facts = read(SOURCE, Map.of());
        assertEquals(Map.of("first", ModuleFacts.XDP, "second", ModuleFacts.SOCKET_FILTER), facts.types());
        assertEquals("xdp", facts.typeOf(null), "the first program's type when none is named");
        assertEquals(Set.of("ktime_get_ns", "xdp_adjust_head"), facts.helpers());
        assertEquals(Set.of("rb"), facts.ringBufs());
        assertEquals(Set.of("jumps"), facts.progArrays());
        assertTrue(facts.hasPacketProgram());
    }

    @Test
    void aForcedContextRetypesEveryProgram() {
        ModuleFacts facts = read(SOURCE, Map.of("bpf.Context", "raw"));
        assertEquals(Map.of("first", ModuleFacts.RAW, "second", ModuleFacts.RAW), facts.types());
        assertFalse(facts.hasPacketProgram(), "raw-memory programs have no kernel counterpart");
    }
}
