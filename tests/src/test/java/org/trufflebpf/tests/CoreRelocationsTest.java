package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.kernel.KernelEngineService;

/**
 * CO-RE relocations against struct __sk_buff (examples/c/loader/core_context.c) are applied as libbpf applies
 * them: the program's own struct lists its fields in another order, so only relocated offsets read the right
 * fields; field_exists and type_size give the modelled struct's answers. Every engine, the kernel's included
 * (it runs the relocated code), gives the same results; a relocation against a type we do not model refuses
 * its program with the relocation named.
 */
class CoreRelocationsTest {
    private static final Path OBJECT = KernelEngineTest.ROOT.resolve("examples/c/loader/core_context.o");
    private static final byte[] PACKET = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);

    private static List<String> engines() {
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        if (new KernelEngineService().unavailableReason() == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            engines.add("kernel");
        }
        return engines;
    }

    private static Value module(Context context) throws IOException {
        return context.eval(Source.newBuilder("bpf", OBJECT.toFile()).build());
    }

    @Test
    void relocatedReadsFindTheContextFieldsByName() throws IOException {
        // mark 5 and cb[2] 9 through the context input: len + mark * 1000 + cb[2] * 100000, priority exists (+2),
        // the program's own field does not (+0), sizeof(struct __sk_buff) 192 * 10^7.
        ByteBuffer ctx = ByteBuffer.allocate(192).order(ByteOrder.LITTLE_ENDIAN);
        ctx.putInt(8, 5).putInt(48 + 8, 9);
        long expected = 54 + 5 * 1000 + 9 * 100000 + 2 + 192L * 10_000_000;
        for (String engine : engines()) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.ContextIn", HexFormat.of().formatHex(ctx.array())).build()) {
                Value result = module(context).getMember("core_fields").invokeMember("executeWithContext", (Object) PACKET);
                assertEquals(expected, result.getArrayElement(0).asLong() & 0xffff_ffffL, engine);
            }
        }
    }

    @Test
    void relocatedWritesReachTheContextFields() throws IOException {
        for (String engine : engines()) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.ContextIn", HexFormat.of().formatHex(new byte[192])).build()) {
                Value result = module(context).getMember("core_writes").invokeMember("executeWithContext", (Object) PACKET);
                assertEquals(10, result.getArrayElement(0).asLong(), engine);
                Value ctxOut = result.getArrayElement(1);
                byte[] outBytes = new byte[(int) ctxOut.getArraySize()];
                for (int i = 0; i < outBytes.length; i++) {
                    outBytes[i] = (byte) ctxOut.getArrayElement(i).asInt();
                }
                ByteBuffer out = ByteBuffer.wrap(outBytes).order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(7, out.getInt(8), engine + ": mark");
                assertEquals(3, out.getInt(48 + 8), engine + ": cb[2]");
            }
        }
    }

    @Test
    void aRelocationAgainstAKernelTypeWeDoNotModelRefusesItsProgramNamingIt() throws IOException {
        try (Context context = Context.newBuilder("bpf").build()) {
            Value module = module(context);
            PolyglotException e = assertThrows(PolyglotException.class, () -> module.getMember("core_iph").execute((Object) PACKET));
            assertEquals("core_context.o: function 'core_iph': insn 8 'mov %r1, 1': CO-RE relocation field_exists of struct iphdr (access 0:6)"
                            + " is not applied: TruffleBPF relocates only against the context types it models (struct __sk_buff, struct xdp_md),"
                            + " not against kernel BTF (program 'core_iph')", e.getMessage());
        }
    }
}
