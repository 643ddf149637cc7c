package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * A raw-memory program runs over a caller's direct ByteBuffer in place, without copying it in or out, yet
 * reaches exactly the buffer's bytes 0 to its limit: not the bytes around it (even when they are the caller's
 * own, as around a slice), and no write into a read-only buffer. Both engines, unverified programs.
 */
class DirectBufferInPlaceTest {
    private static final List<String> ENGINES = List.of("interpreter", "native");

    private static Value program(Context context, String asm) {
        return BpfRunner.evalAsm(context, asm, "inplace.s").getMember("inplace");
    }

    private static Context context(String engine) {
        return BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", "false").option("bpf.Context", "raw").build();
    }

    @Test
    void theProgramSeesTheBuffersOwnMemoryAndItsWritesLandThere() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(16);
        long address = MemorySegment.ofBuffer(buffer).address();
        for (String engine : ENGINES) {
            try (Context context = context(engine)) {
                // r0 = r1, the input's address; the store is seen by the caller without any copy back.
                Value program = program(context, ".program inplace raw\nstb [%r1+15], 42\nmov %r0, %r1\nexit\n");
                buffer.put(15, (byte) 0);
                assertEquals(address, program.execute(buffer).asLong(), engine + ": r1 is not the buffer's memory");
                assertEquals(42, buffer.get(15), engine);
            }
        }
    }

    @Test
    void bytesBesideASliceAreRefusedThoughTheyAreTheCallers() {
        ByteBuffer whole = ByteBuffer.allocateDirect(64);
        for (int i = 0; i < 64; i++) {
            whole.put(i, (byte) 0x5e);
        }
        ByteBuffer slice = whole.slice(16, 16);
        for (String engine : ENGINES) {
            try (Context context = context(engine)) {
                for (String access : List.of("ldxb %r0, [%r1+16]", "ldxb %r0, [%r1-1]", "ldxdw %r0, [%r1+9]", "stb [%r1+16], 1\nmov %r0, 0")) {
                    Value program = program(context, ".program inplace raw\n" + access + "\nexit\n");
                    PolyglotException e = assertThrows(PolyglotException.class, () -> program.execute(slice), engine + ": " + access);
                    assertTrue(e.getMessage().contains("is out of bounds: memory is 16 bytes"), e.getMessage());
                }
                assertEquals(0x5e, program(context, ".program inplace raw\nldxb %r0, [%r1+15]\nexit\n").execute(slice).asLong(), engine);
            }
        }
        assertEquals(0x5e, whole.get(32), "the byte after the slice was written");
    }

    @Test
    void aReadOnlyBufferIsReadButNeverWritten() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(8);
        buffer.put(0, (byte) 7);
        ByteBuffer readOnly = buffer.asReadOnlyBuffer();
        for (String engine : ENGINES) {
            try (Context context = context(engine)) {
                assertEquals(7, program(context, ".program inplace raw\nldxb %r0, [%r1+0]\nexit\n").execute(readOnly).asLong(), engine);
                Value writer = program(context, ".program inplace raw\nstb [%r1+0], 1\nmov %r0, 0\nexit\n");
                PolyglotException e = assertThrows(PolyglotException.class, () -> writer.execute(readOnly), engine);
                assertTrue(e.getMessage().contains("memory is read-only"), e.getMessage());
            }
        }
        assertEquals(7, buffer.get(0));
    }

    @Test
    void withoutBufferAccessTheBufferIsRefusedAsBefore() {
        try (Context context = Context.newBuilder("bpf").allowHostAccess(HostAccess.EXPLICIT).option("bpf.Context", "raw").build()) {
            Value program = program(context, ".program inplace raw\nldxb %r0, [%r1+0]\nexit\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> program.execute(ByteBuffer.allocateDirect(8)));
            assertTrue(e.getMessage().contains("expected bytes"), e.getMessage());
        }
    }
}
