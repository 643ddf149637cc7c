package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trufflebpf.load.ObjectLoader;
import org.trufflebpf.model.BpfFunction;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Program;

/**
 * Code as clang -O2 emits it (see {@code clang_patterns.c} beside the object) verifies, with the stack depths
 * its stores imply: loops over stack buffers, helper-filled buffers, a callee reading its caller's buffer,
 * structs passed to map helpers, and a 3000-iteration loop that takes the joined analysis.
 */
class ClangPatternsTest {

    @Test
    void everyProgramVerifiesWithTheExpectedStackDepths() throws IOException {
        byte[] bytes;
        try (InputStream in = ClangPatternsTest.class.getResourceAsStream("clang_patterns.o")) {
            bytes = in.readAllBytes();
        }
        BpfObject object = ObjectLoader.load(bytes, "clang_patterns.o");
        Map<String, String> depths = new LinkedHashMap<>();
        for (Program program : object.programs()) {
            Program verified = Verifier.verify(program);
            StringBuilder sb = new StringBuilder();
            for (BpfFunction f : verified.analysis().functions()) {
                sb.append(sb.isEmpty() ? "" : " ").append(f.name()).append(':').append(f.stackDepth());
            }
            depths.put(program.name(), sb.toString());
        }
        // Depths follow from the objdump listing: the lowest r10 offset each function touches.
        assertEquals(Map.of("fill", "fill:64", "copy", "copy:96", "callee_reads", "callee_reads:16 sum_bytes:0", "histogram", "histogram:324",
                        "structs", "structs:20", "long_loop", "long_loop:32"), depths);
    }
}
