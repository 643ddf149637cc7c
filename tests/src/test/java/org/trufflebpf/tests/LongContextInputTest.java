package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.Test;
import org.trufflebpf.kernel.KernelEngineService;

/**
 * Inputs longer than 64 bytes reach the program whole (issue 17's "contexts read past 64 bytes of input"): raw
 * memory of 200 bytes read at offset 104 (where a struct pt_regs keeps si), and a 192-byte __sk_buff context
 * input whose tstamp (152), gso_segs (164) and gso_size (176) the program reads, on every engine.
 */
class LongContextInputTest {
    private static List<String> engines(boolean kernel) {
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        if (kernel && new KernelEngineService().unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            engines.add("kernel");
        }
        return engines;
    }

    @Test
    void rawMemoryIsReadPast64Bytes() throws IOException {
        byte[] input = new byte[200];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) i;
        }
        for (String engine : engines(false)) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                long r0 = context.eval(Source.create("bpf", ".program main raw\n    ldxdw %r0, [%r1+104]\n    exit\n")).getMember("main").execute((Object) input).asLong();
                assertEquals(0x6f6e6d6c6b6a6968L, r0, engine);
            }
        }
    }

    @Test
    void skbContextInputFieldsPast64BytesAreHonoured() throws IOException {
        ByteBuffer ctx = ByteBuffer.allocate(192).order(ByteOrder.LITTLE_ENDIAN);
        ctx.putLong(152, 7).putInt(164, 3).putInt(176, 100);
        String hex = HexFormat.of().formatHex(ctx.array());
        byte[] packet = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);
        String program = """
                        .program main tc
                            ldxdw %r0, [%r1+152]
                            ldxw %r2, [%r1+164]
                            lsh %r2, 8
                            add %r0, %r2
                            ldxw %r2, [%r1+176]
                            lsh %r2, 16
                            add %r0, %r2
                            exit
                        """;
        for (String engine : engines(true)) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.ContextIn", hex).build()) {
                long r0 = context.eval(Source.create("bpf", program)).getMember("main").invokeMember("executeWithContext", (Object) packet).getArrayElement(0).asLong();
                assertEquals(7 + (3 << 8) + (100 << 16), r0, engine);
            }
        }
    }
}
