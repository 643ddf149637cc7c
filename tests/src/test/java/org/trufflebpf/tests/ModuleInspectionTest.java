package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.junit.jupiter.api.Test;

/**
 * What the {@code bpf} launcher's verify, disasm and inspect print comes from the module's internal members,
 * through the Polyglot API: with {@code bpf.Prepare=false} the object is only read (a program the verifier
 * would refuse still lists), and a module prepared to run has the same members without showing them among
 * its programs and maps.
 */
class ModuleInspectionTest {
    private static final String TWO_PROGRAMS = """
                    .map counts array key=4 value=8 entries=1
                    .program good socket
                        mov %r0, 0
                        exit
                    .program bad socket
                        ldxdw %r0, [%r10-520]
                        exit
                    """;

    private static Context readOnly() {
        return Context.newBuilder("bpf").option("bpf.Prepare", "false").build();
    }

    private static Value eval(Context context, String text, String name) {
        return context.eval(Source.newBuilder("bpf", text, name).mimeType("text/x-bpf-asm").buildLiteral());
    }

    @Test
    void aModuleReadForPrintingListsAndVerifiesEachProgramOnDemand() {
        try (Context context = readOnly()) {
            Value module = eval(context, TWO_PROGRAMS, "two.s");
            assertEquals(List.of(), List.copyOf(module.getMemberKeys()), "nothing is prepared to run");
            Value names = module.invokeMember("programNames");
            assertEquals(List.of("good", "bad"), List.of(names.getArrayElement(0).asString(), names.getArrayElement(1).asString()));
            assertEquals("good: ok, 2 instructions, 1 function, stack 32 bytes on the deepest call chain\n  good                     insns 0..1  stack 0",
                            module.invokeMember("verify", "good").asString());
            PolyglotException rejected = assertThrows(PolyglotException.class, () -> module.invokeMember("verify", "bad"));
            assertTrue(rejected.isGuestException());
            assertEquals("two.s: function 'bad': insn 0 'ldxdw %r0, [%r10-520]': stack access out of bounds (frame is 512 bytes)", rejected.getMessage());
            String listing = module.invokeMember("listing").asString();
            assertTrue(listing.startsWith(".map counts array key=4 value=8 entries=1\n.program good socket\n"), listing);
            assertTrue(module.invokeMember("listing", "bad").asString().startsWith(".program bad socket\n"));
            assertTrue(module.invokeMember("summary").asString().contains("programs (2):"));
            PolyglotException unknown = assertThrows(PolyglotException.class, () -> module.invokeMember("listing", "other"));
            assertEquals("two.s: no program named 'other' (or not unique in its section)", unknown.getMessage());
        }
    }

    @Test
    void aRawMemoryProgramHasNoKernelVerdictAndTheContextOptionRetypesPrograms() {
        try (Context context = readOnly()) {
            assertTrue(eval(context, "mov %r0, 0\nexit\n", "raw.s").invokeMember("kernelVerdict", "raw").isNull());
        }
        try (Context context = Context.newBuilder("bpf").option("bpf.Prepare", "false").option("bpf.Context", "xdp").build()) {
            // An xdp context has data at offset 0: the load is a context access, not raw memory.
            Value module = eval(context, "ldxw %r0, [%r1+0]\nexit\n", "typed.s");
            assertTrue(module.invokeMember("verify", "typed").asString().startsWith("typed: ok"));
        }
    }

    @Test
    void aConformanceFileGivesItsProgramAndTheMemoryItRunsOver() {
        byte[] file = "-- asm\nldxh %r0, [%r1+1]\nexit\n-- mem\n00 34 12\n-- result\n0x1234\n".getBytes(StandardCharsets.UTF_8);
        try (Context context = Context.newBuilder("bpf").build()) {
            Value module = context.eval(Source.newBuilder("bpf", ByteSequence.create(file), "t.data").mimeType("application/x-bpf").buildLiteral());
            Value memory = module.invokeMember("inputMemory");
            byte[] bytes = new byte[(int) memory.getBufferSize()];
            memory.readBuffer(0, bytes, 0, bytes.length);
            assertArrayEquals(new byte[] {0, 0x34, 0x12}, bytes);
            assertEquals(0x1234, module.execute(bytes).asLong());
            assertTrue(eval(context, "mov %r0, 0\nexit\n", "plain.s").invokeMember("inputMemory").isNull());
        }
    }

    @Test
    void inputMemoryReadsAsAReadOnlyBufferInEitherByteOrderAndAsUnsignedByteValues() {
        byte[] file = "-- asm\nmov %r0, 0\nexit\n-- mem\nff 34 12 80\n-- result\n0\n".getBytes(StandardCharsets.UTF_8);
        try (Context context = Context.newBuilder("bpf").build()) {
            Value module = context.eval(Source.newBuilder("bpf", ByteSequence.create(file), "t.data").mimeType("application/x-bpf").buildLiteral());
            Value memory = module.invokeMember("inputMemory");
            assertEquals(0x1234, memory.readBufferShort(ByteOrder.LITTLE_ENDIAN, 1));
            assertEquals(0x3412, memory.readBufferShort(ByteOrder.BIG_ENDIAN, 1));
            assertEquals(0x801234ff, memory.readBufferInt(ByteOrder.LITTLE_ENDIAN, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> memory.readBufferInt(ByteOrder.LITTLE_ENDIAN, 1));
            assertFalse(memory.isBufferWritable());
            assertThrows(UnsupportedOperationException.class, () -> memory.writeBufferByte(0, (byte) 1));
            assertThrows(UnsupportedOperationException.class, () -> memory.writeBufferLong(ByteOrder.LITTLE_ENDIAN, 0, 1));
            assertEquals(4, memory.getArraySize());
            assertEquals(List.of(0xff, 0x34, 0x12, 0x80), List.of(memory.getArrayElement(0).asInt(), memory.getArrayElement(1).asInt(),
                            memory.getArrayElement(2).asInt(), memory.getArrayElement(3).asInt()));
            assertThrows(ArrayIndexOutOfBoundsException.class, () -> memory.getArrayElement(4));
            assertEquals(0xff, memory.readBufferByte(0) & 0xff, "the buffer is the bytes as given");
        }
    }

    @Test
    void aPreparedModuleKeepsItsMembersToItsProgramsAndMapsAndAProgramNamedLikeAMemberStillRuns() {
        try (Context context = Context.newBuilder("bpf").build()) {
            Value module = eval(context, ".program verify socket\nmov %r0, 7\nexit\n", "named.s");
            assertEquals(List.of("verify"), List.copyOf(module.getMemberKeys()));
            assertEquals(7, module.getMember("verify").execute(new byte[16]).asLong());
            assertTrue(module.invokeMember("verify", "verify").asString().startsWith("verify: ok"), "invoking the name reaches the member");
            assertFalse(module.invokeMember("listing").asString().isEmpty());
        }
    }

    @Test
    void aSourceSaidToBeElfMustBeElf() {
        try (Context context = readOnly()) {
            PolyglotException e = assertThrows(PolyglotException.class,
                            () -> context.eval(Source.newBuilder("bpf", ByteSequence.create(new byte[16]), "zeros.o").mimeType("application/x-elf").buildLiteral()));
            assertEquals("zeros.o: not an ELF file (bad magic number)", e.getMessage());
        }
    }
}
