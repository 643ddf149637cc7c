package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.graalvm.polyglot.io.IOAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionDecoder;
import org.trufflebpf.model.Opcodes;

/**
 * Program contexts: raw memory, {@code struct __sk_buff} over a packet (socket filter, tc) with its data
 * pointers rewritten at load time and LD_ABS/LD_IND reading big-endian, and {@code struct xdp_md}. Also the
 * committed C examples, loaded from their ELF objects.
 */
class ContextsTest {
    /** Ethernet + IPv4 (ihl 5) + TCP to {@code port}: 54 bytes. */
    static byte[] tcpPacket(int port) {
        byte[] p = new byte[54];
        p[12] = 0x08;
        p[14] = 0x45;
        p[16] = 0;
        p[17] = 40;
        p[23] = 6;
        p[36] = (byte) (port >>> 8);
        p[37] = (byte) port;
        return p;
    }

    private static Value evalRaw(Context context, List<Instruction> code, String name) {
        return context.eval(Source.newBuilder("bpf", ByteSequence.create(InstructionDecoder.encode(code)), name).mimeType(BpfRunner.BYTECODE_MIME).buildLiteral());
    }

    /**
     * The verifier refuses a socket filter's loads of data and data_end, as the kernel does; unverified, the
     * engines still rewrite them to the packet's pointers, and this is what they see.
     */
    @Test
    void unverifiedSocketFilterSeesLengthProtocolAndPacketPointers() {
        String source = """
                        .program filter socket
                        ldxw %r2, [%r1+76]
                        ldxw %r3, [%r1+80]
                        mov %r4, %r3
                        sub %r4, %r2
                        ldxw %r5, [%r1+0]
                        jne %r4, %r5, bad
                        mov %r7, %r2
                        add %r7, 24
                        jgt %r7, %r3, bad
                        ldxw %r0, [%r1+16]
                        ldxb %r6, [%r2+23]
                        lsh %r6, 16
                        or %r0, %r6
                        exit
                        bad:
                        mov %r0, -1
                        exit
                        """;
        try (Context verified = BpfRunner.contextBuilder().build()) {
            assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(verified, source, "skb.s"));
        }
        try (Context context = BpfRunner.contextBuilder().option("bpf.Verify", "false").build()) {
            Value module = BpfRunner.evalAsm(context, source, "skb.s");
            // protocol is the EtherType as the packet holds it (network order): 0x0008 read little-endian.
            assertEquals(0x06_0008, module.execute(tcpPacket(80)).asLong());
        }
    }

    /** Unverified (the verifier refuses a socket filter's packet pointers outright), a socket filter's packet stays read-only at run time. */
    @Test
    void socketFilterMayNotWriteThePacketButTcMay() {
        String write = "ldxw %r2, [%r1+76]\nldxw %r3, [%r1+80]\nmov %r4, %r2\nadd %r4, 1\njgt %r4, %r3, out\nstb [%r2], 1\nout:\nmov %r0, 0\nexit\n";
        try (Context context = BpfRunner.contextBuilder().option("bpf.Verify", "false").build()) {
            Value socket = BpfRunner.evalAsm(context, ".program s socket\n" + write, "ws.s");
            PolyglotException e = assertThrows(PolyglotException.class, () -> socket.execute(tcpPacket(1)));
            assertTrue(e.getMessage().contains("packet is read-only"), e.getMessage());
            Value tc = BpfRunner.evalAsm(context, ".program t tc\n" + write, "wt.s");
            assertEquals(0, tc.execute(tcpPacket(1)).asLong());
        }
    }

    @Test
    void ldAbsAndLdIndReadBigEndianAndEndTheProgramWithZeroOutOfBounds() {
        List<Instruction> code = List.of(
                        Instruction.of(Opcodes.CLASS_ALU64 | Opcodes.ALU_MOV | Opcodes.SRC_X, 6, 1, 0, 0),
                        Instruction.of(Opcodes.CLASS_LD | Opcodes.MODE_ABS | Opcodes.SIZE_H, 0, 0, 0, 12), // EtherType
                        Instruction.of(Opcodes.CLASS_ALU64 | Opcodes.ALU_MOV | Opcodes.SRC_X, 7, 0, 0, 0),
                        Instruction.of(Opcodes.CLASS_ALU64 | Opcodes.ALU_MOV | Opcodes.SRC_K, 8, 0, 0, 30),
                        Instruction.of(Opcodes.CLASS_LD | Opcodes.MODE_IND | Opcodes.SIZE_W, 0, 8, 0, 6), // dst port and more at 36
                        Instruction.of(Opcodes.CLASS_ALU64 | Opcodes.ALU_LSH | Opcodes.SRC_K, 7, 0, 0, 32),
                        Instruction.of(Opcodes.CLASS_ALU64 | Opcodes.ALU_OR | Opcodes.SRC_X, 0, 7, 0, 0),
                        Instruction.of(Opcodes.EXIT, 0, 0, 0, 0));
        List<Instruction> placed = new ArrayList<>();
        for (int i = 0; i < code.size(); i++) {
            placed.add(code.get(i).at(i));
        }
        try (Context context = BpfRunner.contextBuilder().option("bpf.Context", "socket").build()) {
            Value module = evalRaw(context, placed, "ldabs.bin");
            assertEquals(0x0800_0050_0000L, module.execute(tcpPacket(80)).asLong());
            assertEquals(0, module.execute(new byte[20]).asLong(), "LD_IND beyond the packet ends the program with 0");
        }
    }

    @Test
    void xdpAdjustHeadMovesData() {
        String source = """
                        .program grow xdp
                        mov %r6, %r1
                        mov %r2, -4
                        call xdp_adjust_head
                        jne %r0, 0, bad
                        ldxw %r2, [%r6+0]
                        ldxw %r3, [%r6+4]
                        mov %r4, %r2
                        add %r4, 4
                        jgt %r4, %r3, bad
                        sub %r3, %r2
                        stw [%r2], 0x11223344
                        mov %r0, %r3
                        exit
                        bad:
                        mov %r0, 99
                        exit
                        """;
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value module = BpfRunner.evalAsm(context, source, "adjust.s");
            assertEquals(58, module.execute(tcpPacket(80)).asLong(), "4 bytes of headroom became packet");
        }
    }

    @Test
    void skbLoadBytesCopiesFromThePacket() {
        String source = """
                        .program load tc
                        mov %r2, 36
                        mov %r3, %r10
                        add %r3, -8
                        mov %r4, 2
                        call skb_load_bytes
                        jne %r0, 0, bad
                        ldxh %r0, [%r10-8]
                        be16 %r0
                        exit
                        bad:
                        mov %r0, -1
                        exit
                        """;
        try (Context context = BpfRunner.contextBuilder().build()) {
            assertEquals(8080, BpfRunner.evalAsm(context, source, "lb.s").execute(tcpPacket(8080)).asLong());
        }
    }

    @Test
    void packetHelpersAreOnlyAvailableToTheirProgramTypes() {
        try (Context context = BpfRunner.contextBuilder().build()) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context,
                            ".program p xdp\nmov %r2, 0\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 4\ncall skb_load_bytes\nexit\n", "x.s"));
            assertTrue(e.getMessage().contains("helper skb_load_bytes is not available to xdp programs"), e.getMessage());
            e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, ".program p socket\nmov %r2, 0\ncall xdp_adjust_head\nexit\n", "s.s"));
            assertTrue(e.getMessage().contains("helper xdp_adjust_head is not available to socket_filter programs"), e.getMessage());
        }
    }

    @Test
    void contextOptionOverridesTheSection() {
        try (Context context = BpfRunner.contextBuilder().option("bpf.Context", "raw").build()) {
            Value module = BpfRunner.evalAsm(context, ".program p xdp\nmov %r0, %r2\nexit\n", "o.s");
            assertEquals(3, module.execute(new byte[] {1, 2, 3}).asLong(), "as raw memory, r2 is the length");
        }
    }

    private static Path example(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("examples/c"))) {
            dir = dir.getParent();
        }
        return dir == null ? null : dir.resolve("examples/c").resolve(name);
    }

    private static Value evalElf(Context context, String name) throws IOException {
        Path path = example(name);
        assumeTrue(path != null && Files.exists(path), "examples/c/" + name + " not found");
        return context.eval(Source.newBuilder("bpf", ByteSequence.create(Files.readAllBytes(path)), name).mimeType("application/x-elf").build());
    }

    @Test
    void xdpParserFromElfDropsTelnetAndCountsProtocols() throws Exception {
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value module = evalElf(context, "xdp_parser.o");
            Value parse = module.getMember("xdp_parse");
            assertEquals(1, parse.execute(tcpPacket(23)).asLong(), "XDP_DROP");
            assertEquals(2, parse.execute(tcpPacket(80)).asLong(), "XDP_PASS");
            assertEquals(0, parse.execute(new byte[10]).asLong(), "XDP_ABORTED: shorter than an Ethernet header");
            assertEquals(2, module.getMember("proto_counts").getArrayElement(6).asLong());
        }
    }

    @Test
    void contextPassedToSubprogramsAndSpilledStillReadsThePacketOnBothEngines() throws Exception {
        for (String engine : new String[] {"interpreter", "native"}) {
            try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).build()) {
                Value program = evalElf(context, "context_in_subprograms.o").getMember("context_in_subprograms");
                // len 54, IPv4 protocol 6 (TCP), version/IHL byte 0x45; before the rewrite followed the context: 0.
                assertEquals((54 << 16) | (6 << 8) | 0x45, program.execute(tcpPacket(23)).asLong(), engine);
            }
        }
    }

    @Test
    void countersFromElfShareOneSection() throws Exception {
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value module = evalElf(context, "counters.o");
            for (int i = 0; i < 3; i++) {
                module.getMember("count_packets").execute(tcpPacket(1));
                module.getMember("count_lengths").execute(tcpPacket(1));
            }
            module.getMember("count_lengths").execute(new byte[60]);
            assertEquals(3, module.getMember("packet_counts").getArrayElement(0).asLong());
            Value lengths = module.getMember("length_counts");
            assertEquals(3, lengths.getHashValue(54).asLong());
            assertEquals(1, lengths.getHashValue(60).asLong());
        }
    }

    @Test
    void tailCallsFromElfFollowTheInitialisedProgArray() throws Exception {
        try (Context context = BpfRunner.contextBuilder().build()) {
            Value module = evalElf(context, "tail_calls.o");
            assertEquals(2, module.getMember("entry").execute(tcpPacket(1)).asLong());
            module.getMember("jump_table").removeArrayElement(2);
            assertEquals(1, module.getMember("entry").execute(tcpPacket(1)).asLong());
        }
    }

    @Test
    void fileTypesAreDetected(@TempDir Path dir) throws Exception {
        Path elf = example("xdp_parser.o");
        assumeTrue(elf != null && Files.exists(elf), "examples/c/xdp_parser.o not found");
        assertEquals("application/x-elf", Source.findMimeType(elf.toFile()));
        Path renamed = Files.copy(elf, dir.resolve("object-without-extension"));
        assertEquals("application/x-elf", Source.findMimeType(renamed.toFile()), "by the ELF magic");
        Path asm = Files.writeString(dir.resolve("p.s"), "mov %r0, 5\nexit\n");
        assertEquals(BpfRunner.ASM_MIME, Source.findMimeType(asm.toFile()));
        Path raw = Files.write(dir.resolve("p.bpf"), new byte[] {(byte) 0xb7, 0, 0, 0, 6, 0, 0, 0, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(BpfRunner.BYTECODE_MIME, Source.findMimeType(raw.toFile()));
        try (Context context = BpfRunner.contextBuilder().allowIO(IOAccess.ALL).build()) {
            assertEquals(5, context.eval(Source.newBuilder("bpf", asm.toFile()).build()).execute().asLong());
            assertEquals(6, context.eval(Source.newBuilder("bpf", raw.toFile()).build()).execute().asLong());
            assertEquals(2, context.eval(Source.newBuilder("bpf", renamed.toFile()).build()).getMember("xdp_parse").execute(tcpPacket(80)).asLong());
        }
    }
}
