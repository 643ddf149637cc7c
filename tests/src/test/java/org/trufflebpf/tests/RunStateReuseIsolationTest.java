package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;

/**
 * Each thread reuses one run state, region table, run-memory block and native run block run after run; the
 * next run must still start as if all were new. A run writes secrets everywhere it can (stack, registers, the
 * XDP headroom, a map value) and the next run on the same thread, of another program, module or context, finds
 * zeros or is refused. Programs run unverified, so they may read what they never wrote.
 */
class RunStateReuseIsolationTest {
    private static final long SECRET = 0x5ec7e75ec7e7L;
    private static final List<String> ENGINES = List.of("interpreter", "native");

    private static Context context(String engine, String type) {
        return BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", "false").option("bpf.Context", type).build();
    }

    @Test
    void stackAndRegistersAnEarlierRunFilledReadZeroInTheNextRun() {
        String writer = """
                        .program writer raw
                        lddw %r6, 0x5ec7e75ec7e7
                        mov %r7, %r6
                        mov %r8, %r6
                        mov %r9, %r6
                        stxdw [%r10-8], %r6
                        stxdw [%r10-256], %r6
                        stxdw [%r10-512], %r6
                        mov %r0, 0
                        exit
                        """;
        // Reads what it never wrote: three stack slots and every register but r1, r2 and r10.
        String reader = """
                        .program reader raw
                        ldxdw %r1, [%r10-8]
                        ldxdw %r2, [%r10-256]
                        or %r0, %r1
                        or %r0, %r2
                        ldxdw %r1, [%r10-512]
                        or %r0, %r1
                        or %r0, %r3
                        or %r0, %r4
                        or %r0, %r5
                        or %r0, %r6
                        or %r0, %r7
                        or %r0, %r8
                        or %r0, %r9
                        exit
                        """;
        for (String engine : ENGINES) {
            try (Context context = context(engine, "raw")) {
                Value write = BpfRunner.evalAsm(context, writer, "writer.s").getMember("writer");
                Value read = BpfRunner.evalAsm(context, reader, "reader.s").getMember("reader");
                for (int i = 0; i < 200; i++) {
                    write.execute(new byte[16]);
                    assertEquals(0, read.execute(new byte[16]).asLong(), engine + ": the reader saw what the writer left");
                }
                write.invokeMember("executeRepeated", new byte[16], 50);
                assertEquals(0, read.invokeMember("executeRepeated", new byte[16], 50).asLong(), engine + ": in a batch");
            }
        }
    }

    @Test
    void aShorterInputThanTheLastRunsIsCheckedAtItsOwnLength() throws Throwable {
        // The inline check's hot region is the input's: after a longer input, a run must pass neither byte 100 of 16
        // nor 50 bytes before them, wherever the run places its input in the memory it reuses.
        String program = """
                        .program past raw
                        ldxb %r0, [%r1+100]
                        exit
                        .program before raw
                        ldxb %r0, [%r1-50]
                        exit
                        """;
        for (String engine : ENGINES) {
            // On a thread of its own, whose first run (and first hot region) is the long input's.
            onNewThread(() -> shorterAfterLonger(engine, program));
        }
    }

    private static void onNewThread(Runnable body) throws Throwable {
        Throwable[] thrown = new Throwable[1];
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        });
        thread.start();
        thread.join();
        if (thrown[0] != null) {
            throw thrown[0];
        }
    }

    private static void shorterAfterLonger(String engine, String program) {
        try (Context context = context(engine, "raw")) {
            Value module = BpfRunner.evalAsm(context, program, "reads.s");
            Value past = module.getMember("past");
            Value before = module.getMember("before");
            byte[] longInput = new byte[128];
            longInput[100] = 42;
            for (int i = 0; i < 200; i++) {
                assertEquals(42, past.execute(longInput).asLong(), engine);
                for (Value read : List.of(past, before)) {
                    PolyglotException e = assertThrows(PolyglotException.class, () -> read.execute(new byte[16]), engine + ": " + read);
                    assertTrue(e.getMessage().contains("read of 1 bytes"), engine + ": " + e.getMessage());
                }
            }
        }
    }

    @Test
    void headroomAnEarlierRunWroteReadsZeroInTheNextRun() {
        // Uncovers 64 bytes of headroom; with byte 0 of the packet set it fills them, else it returns what they hold.
        String program = """
                        .program head xdp
                        mov %r6, %r1
                        ldxw %r2, [%r6+0]
                        ldxw %r3, [%r6+4]
                        mov %r4, %r2
                        add %r4, 1
                        jgt %r4, %r3, bad
                        ldxb %r7, [%r2+0]
                        mov %r1, %r6
                        mov %r2, -64
                        call xdp_adjust_head
                        jne %r0, 0, bad
                        ldxw %r2, [%r6+0]
                        lddw %r8, 0x5ec7e75ec7e7
                        jeq %r7, 0, peek
                        stxdw [%r2+0], %r8
                        stxdw [%r2+56], %r8
                        mov %r0, 2
                        exit
                        peek:
                        ldxdw %r0, [%r2+0]
                        ldxdw %r1, [%r2+56]
                        or %r0, %r1
                        exit
                        bad:
                        mov %r0, 99
                        exit
                        """;
        byte[] filling = new byte[60];
        filling[0] = 1;
        for (String engine : ENGINES) {
            try (Context context = context(engine, "xdp")) {
                Value head = BpfRunner.evalAsm(context, program, "head.s").getMember("head");
                for (int i = 0; i < 200; i++) {
                    assertEquals(2, head.execute((Object) filling).asLong(), engine);
                    assertEquals(0, head.execute((Object) new byte[60]).asLong(), engine + ": the headroom kept the earlier run's bytes");
                }
            }
        }
    }

    /**
     * Byte 0 of the packet picks a mode (and is cleared): 1 fills, 0 and 2 read. The program uncovers 180 bytes
     * of headroom (120 in mode 0), 32 of metadata before them and 64 of tailroom (a packet too long for that
     * tailroom keeps its end), then walks the whole span from the metadata to the packet's end 8 bytes at a
     * time: filling every word with the secret (returning 2), or returning the OR of what they hold (the packet
     * is zero, so any bit is left from before).
     */
    private static final String EXPOSER = """
                    .program exposer xdp
                    mov %r6, %r1
                    ldxw %r2, [%r6+0]
                    ldxw %r3, [%r6+4]
                    mov %r4, %r2
                    add %r4, 1
                    jgt %r4, %r3, bad
                    ldxb %r7, [%r2+0]
                    stb [%r2+0], 0
                    mov %r1, %r6
                    mov %r2, -180
                    jne %r7, 0, deep
                    mov %r2, -120
                    deep:
                    call xdp_adjust_head
                    jne %r0, 0, bad
                    mov %r1, %r6
                    mov %r2, -32
                    call xdp_adjust_meta
                    jne %r0, 0, bad
                    mov %r1, %r6
                    mov %r2, 64
                    call xdp_adjust_tail
                    ldxw %r2, [%r6+8]
                    ldxw %r3, [%r6+4]
                    lddw %r8, 0x5ec7e75ec7e7
                    mov %r0, 0
                    loop:
                    mov %r4, %r2
                    add %r4, 8
                    jgt %r4, %r3, done
                    jne %r7, 1, peek
                    stxdw [%r2+0], %r8
                    ja next
                    peek:
                    ldxdw %r5, [%r2+0]
                    or %r0, %r5
                    next:
                    add %r2, 8
                    ja loop
                    done:
                    jne %r7, 1, out
                    mov %r0, 2
                    out:
                    exit
                    bad:
                    mov %r0, 99
                    exit
                    """;

    /** A packet of {@code length} bytes that makes {@link #EXPOSER} read as deep as it fills. */
    private static byte[] deepReader(int length) {
        byte[] packet = new byte[length];
        packet[0] = 2;
        return packet;
    }

    @Test
    void metadataHeadroomTailroomAndPacketAnEarlierRunFilledReadZeroAfterTheyAreUncoveredAgain() {
        for (String engine : ENGINES) {
            try (Context context = context(engine, "xdp")) {
                Value exposer = BpfRunner.evalAsm(context, EXPOSER, "exposer.s").getMember("exposer");
                // Packets of several lengths, so a longer earlier packet's bytes lie past a shorter one's end.
                int[][] lengths = {{64, 64}, {2048, 64}, {64, 2048}, {3000, 200}, {5000, 64}, {64, 5000}};
                for (int[] pair : lengths) {
                    byte[] filling = new byte[pair[0]];
                    filling[0] = 1;
                    for (int i = 0; i < 20; i++) {
                        assertEquals(2, exposer.execute((Object) filling).asLong(), engine);
                        assertEquals(0, exposer.execute((Object) deepReader(pair[1])).asLong(),
                                        engine + ": bytes a run of " + pair[0] + " filled showed in a run of " + pair[1]);
                    }
                    exposer.invokeMember("executeRepeated", filling, 5);
                    assertEquals(0, exposer.invokeMember("executeRepeated", deepReader(pair[1]), 5).asLong(), engine + ": in a batch");
                }
            }
        }
    }

    @Test
    void anXdpFrameAfterARawRunThatFilledTheSameMemoryReadsZeroWhereUncovered() {
        // Fills its whole input with the secret; with 6000 bytes it covers where the XDP frame goes next.
        String filler = """
                        .program filler raw
                        lddw %r8, 0x5ec7e75ec7e7
                        mov %r3, %r1
                        add %r3, %r2
                        loop:
                        mov %r4, %r1
                        add %r4, 8
                        jgt %r4, %r3, done
                        stxdw [%r1+0], %r8
                        add %r1, 8
                        ja loop
                        done:
                        mov %r0, 0
                        exit
                        """;
        for (String engine : ENGINES) {
            try (Context raw = context(engine, "raw"); Context xdp = context(engine, "xdp")) {
                Value fill = BpfRunner.evalAsm(raw, filler, "filler.s").getMember("filler");
                Value exposer = BpfRunner.evalAsm(xdp, EXPOSER, "exposer.s").getMember("exposer");
                for (int i = 0; i < 20; i++) {
                    // A shallow run first: the deep one after the raw run uncovers bytes no XDP run exposed.
                    assertEquals(0, exposer.execute((Object) new byte[64]).asLong(), engine);
                    fill.execute(new byte[6000]);
                    assertEquals(0, exposer.execute((Object) deepReader(64)).asLong(), engine + ": the raw run's bytes showed in the XDP frame");
                }
            }
        }
    }

    @Test
    void aMapValueTheRunBeforeCouldReachIsRefusedToAnotherModuleOrContext() {
        String owner = """
                        .map secret array key=4 value=8 entries=1
                        .program owner raw
                        lddw %r0, map_value:secret+0
                        lddw %r1, 0x5ec7e75ec7e7
                        stxdw [%r0+0], %r1
                        exit
                        """;
        String intruder = ".program intruder raw\nldxdw %r0, [%r1+0]\nexit\n";
        for (String engine : ENGINES) {
            try (Context first = context(engine, "raw"); Context second = context(engine, "raw")) {
                Value own = BpfRunner.evalAsm(first, owner, "owner.s").getMember("owner");
                Value sameContext = BpfRunner.evalAsm(first, intruder, "intruder.s").getMember("intruder");
                Value otherContext = BpfRunner.evalAsm(second, intruder, "intruder.s").getMember("intruder");
                for (int i = 0; i < 50; i++) {
                    long address = own.execute().asLong();
                    for (Value intrude : List.of(sameContext, otherContext)) {
                        PolyglotException e = assertThrows(PolyglotException.class, () -> intrude.execute(address), engine);
                        assertTrue(e.getMessage().contains("not memory the program may access"), e.getMessage());
                    }
                }
            }
        }
    }

    @Test
    void aRedirectOfAnEarlierRunIsNotReportedForTheNext() {
        // Redirects to ifindex 5 when byte 0 of the packet is set, else passes without one.
        String program = """
                        .program maybe xdp
                        ldxw %r2, [%r1+0]
                        ldxw %r3, [%r1+4]
                        mov %r4, %r2
                        add %r4, 1
                        jgt %r4, %r3, pass
                        ldxb %r5, [%r2+0]
                        jeq %r5, 0, pass
                        mov %r1, 5
                        mov %r2, 0
                        call redirect
                        exit
                        pass:
                        mov %r0, 2
                        exit
                        """;
        byte[] redirecting = new byte[60];
        redirecting[0] = 1;
        for (String engine : ENGINES) {
            try (Context context = context(engine, "xdp")) {
                Value maybe = BpfRunner.evalAsm(context, program, "maybe.s").getMember("maybe");
                maybe.execute((Object) redirecting);
                assertEquals(5, maybe.getMember("redirect").getMember("ifindex").asLong(), engine);
                assertEquals(2, maybe.execute((Object) new byte[60]).asLong(), engine);
                assertTrue(maybe.getMember("redirect").isNull(), engine + ": the earlier run's redirect is still reported");
            }
        }
    }
}
