package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * A module is a polyglot object: its programs are executable and its maps are arrays or hashes, from Java and
 * from JavaScript in the same context.
 */
class PolyglotEmbeddingTest {
    static final String SOURCE = """
                    .map counts array key=4 value=8 entries=4
                    .map lengths hash key=4 value=8 entries=16
                    .map jmp prog_array key=4 value=4 entries=2
                    .program count socket
                    mov %r6, %r1
                    ldxw %r7, [%r1+0]
                    stxw [%r10-4], %r7
                    lddw %r1, map:counts
                    mov %r2, %r10
                    add %r2, -4
                    stw [%r2], 0
                    call map_lookup_elem
                    jeq %r0, 0, skip
                    mov %r1, 1
                    lock add [%r0+0], %r1
                    skip:
                    stxw [%r10-4], %r7
                    stdw [%r10-16], 1
                    lddw %r1, map:lengths
                    mov %r2, %r10
                    add %r2, -4
                    mov %r3, %r10
                    add %r3, -16
                    mov %r4, 0
                    call map_update_elem
                    mov %r1, %r6
                    lddw %r2, map:jmp
                    mov %r3, 0
                    call tail_call
                    mov %r0, %r7
                    exit
                    .program seven socket
                    mov %r0, 7
                    exit
                    """;

    @Test
    void javaSeesProgramsAndMaps() {
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value module = BpfRunner.evalAsm(context, SOURCE, "embed.s");
            assertEquals(Set.of("count", "seven", "counts", "lengths", "jmp"), new HashSet<>(module.getMemberKeys()));
            Value count = module.getMember("count");
            assertTrue(count.canExecute());
            assertEquals("socket_filter", count.getMember("type").asString());
            assertEquals(3, count.execute(new byte[] {1, 2, 3}).asLong());
            assertEquals(5, count.execute(new byte[5]).asLong());
            Value counts = module.getMember("counts");
            assertEquals(4, counts.getArraySize());
            assertEquals(2, counts.getArrayElement(0).asLong());
            Value lengths = module.getMember("lengths");
            assertEquals(2, lengths.getHashSize());
            assertEquals(1, lengths.getHashValue(3).asLong());
            assertEquals(1, lengths.getHashValue(5).asLong());
            module.getMember("jmp").setArrayElement(0, module.getMember("seven"));
            assertEquals(7, count.execute(new byte[5]).asLong());
            assertTrue(module.getMember("jmp").getArrayElement(1).isNull());
            assertEquals("seven", module.getMember("jmp").getArrayElement(0).getMember("name").asString());
        }
    }

    @Test
    void javaScriptUsesTheSameModule() {
        try (Context context = Context.newBuilder("bpf", "js").allowAllAccess(true).build()) {
            Value module = BpfRunner.evalAsm(context, SOURCE, "embed.s");
            Value script = context.eval("js", """
                            (function (m) {
                                let r = [];
                                r.push(m.count([1, 2, 3, 4]));
                                r.push(m.count([9, 9]));
                                r.push(m.counts[0]);
                                m.counts[3] = 99;
                                m.jmp[0] = m.seven;
                                r.push(m.count([1]));
                                return r.join(",");
                            })
                            """);
            assertEquals("4,2,2,7", script.execute(module).asString());
            assertEquals(99, module.getMember("counts").getArrayElement(3).asLong(), "JavaScript's write is visible to Java");
            assertEquals(3, module.getMember("counts").getArrayElement(0).asLong());
        }
    }
}
