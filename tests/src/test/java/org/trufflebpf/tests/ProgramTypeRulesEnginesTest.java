package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The program-type rules end to end, on both engines: a program that breaks one is refused when the module
 * loads, with the rule's message; a prog array serves one program type, at load and when the host fills a
 * slot; and an unverified socket filter that reaches xdp_adjust_head through callx moves nothing.
 */
class ProgramTypeRulesEnginesTest {
    private static Context context(String engine) {
        return BpfRunner.contextBuilder().option("bpf.Engine", engine).build();
    }

    private static String loadError(String engine, String source) {
        try (Context context = context(engine)) {
            PolyglotException e = assertThrows(PolyglotException.class, () -> BpfRunner.evalAsm(context, source, "prog.s"));
            return e.getMessage();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void eachRuleRefusesTheModuleWithItsOwnMessage(String engine) {
        assertEquals("prog.s: function 'prog': insn 1 'call 44': helper xdp_adjust_head is not available to socket_filter programs",
                        loadError(engine, ".program prog socket\nmov %r2, 4\ncall xdp_adjust_head\nexit\n"));
        assertEquals("prog.s: function 'prog': insn 2 'call %r3': helper xdp_adjust_head is not available to socket_filter programs (called through r3)",
                        loadError(engine, ".program prog socket\nmov %r2, 4\nmov %r3, 44\ncall %r3\nmov %r0, 0\nexit\n"));
        assertEquals("prog.s: function 'prog': insn 1 'ldabsb 12': LD_ABS and LD_IND are only for socket and tc programs (they read an sk_buff's packet), "
                        + "not xdp programs", loadError(engine, ".program prog xdp\nmov %r6, %r1\nldabsb 12\nexit\n"));
        assertEquals("prog.s: function 'prog': insn 0 'ldxw %r2, [%r1+76]': context access at offset 76 (4 bytes): socket_filter programs may not read "
                        + "__sk_buff.data", loadError(engine, ".program prog socket\nldxw %r2, [%r1+76]\nmov %r0, 0\nexit\n"));
        assertEquals("prog.s: function 'prog': insn 1 'div %r0, 0': division by zero: the divisor is the immediate 0",
                        loadError(engine, ".program prog raw\nmov %r0, 7\ndiv %r0, 0\nexit\n"));
    }

    private static final String SOCKET_ARRAY = """
                    .map jmp prog_array key=4 value=4 entries=2
                    .program caller socket
                    lddw %r2, map:jmp
                    mov %r3, 0
                    call tail_call
                    mov %r0, 1
                    exit
                    """;

    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void aProgArraySlotTakesOnlyProgramsOfTheArraysType(String engine) {
        // At load: an initial slot naming a program of another type.
        assertEquals("prog.s: prog array 'jmp' slot 0: prog array 'jmp' serves socket_filter programs, not 'other' of type xdp (tail calls stay within "
                        + "one program type)", loadError(engine, SOCKET_ARRAY + ".slot jmp 0 other\n.program other xdp\nmov %r0, 2\nexit\n"));
        // At load: programs of two types naming one prog array; the second is refused, the first still runs.
        try (Context context = context(engine)) {
            Value module = BpfRunner.evalAsm(context, SOCKET_ARRAY + ".program other xdp\nlddw %r2, map:jmp\nmov %r0, 2\nexit\n", "prog.s");
            PolyglotException refused = assertThrows(PolyglotException.class, () -> module.getMember("other").execute(new byte[20]));
            assertEquals("prog.s: function 'other': insn 0 'lddw %r2, map:jmp': prog array 'jmp' serves socket_filter programs, not 'other' of type xdp (tail"
                            + " calls stay within one program type)", refused.getMessage());
            assertEquals(1, module.getMember("caller").execute(new byte[20]).asLong());
        }
        // When the host fills a slot: refused, and the slot stays empty.
        try (Context context = context(engine)) {
            Value module = BpfRunner.evalAsm(context, SOCKET_ARRAY, "caller.s");
            Value xdp = BpfRunner.evalAsm(context, ".program pass xdp\nmov %r0, 2\nexit\n", "pass.s").getMember("pass");
            PolyglotException refused = assertThrows(PolyglotException.class, () -> module.getMember("jmp").setArrayElement(0, xdp));
            assertTrue(refused.getMessage().contains("prog array 'jmp' serves socket_filter programs, not 'pass' of type xdp"), refused::getMessage);
            assertTrue(module.getMember("jmp").getArrayElement(0).isNull());
            assertEquals(1, module.getMember("caller").execute(new byte[20]).asLong());
        }
    }

    /** What the verifier lets a tc program write, the runtime lets it write too: every writable field, read back. */
    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void aTcProgramWritesEveryFieldTheVerifierLetsItWrite(String engine) {
        String source = """
                        .program prog tc
                        stw [%r1+8], 1
                        stw [%r1+12], 2
                        stw [%r1+32], 4
                        stw [%r1+44], 8
                        stdw [%r1+48], 16
                        stw [%r1+72], 32
                        stdw [%r1+152], 64
                        ldxw %r0, [%r1+8]
                        ldxw %r2, [%r1+12]
                        add %r0, %r2
                        ldxw %r2, [%r1+32]
                        add %r0, %r2
                        ldxw %r2, [%r1+44]
                        add %r0, %r2
                        ldxdw %r2, [%r1+48]
                        add %r0, %r2
                        ldxw %r2, [%r1+72]
                        add %r0, %r2
                        ldxdw %r2, [%r1+152]
                        add %r0, %r2
                        exit
                        """;
        try (Context context = context(engine)) {
            assertEquals(127, BpfRunner.evalAsm(context, source, "prog.s").getMember("prog").execute(new byte[20]).asLong());
        }
    }

    /**
     * Unverified, a socket filter may reach xdp_adjust_head through callx (the verifier would refuse it). The
     * helper finds no XDP context and stops the run on both engines: the read-only packet is neither moved nor
     * made writable, and no pointer lands in the socket filter's context.
     */
    @ParameterizedTest
    @ValueSource(strings = {"interpreter", "native"})
    void anUnverifiedSocketFilterCannotMoveItsPacketThroughCallx(String engine) {
        String source = """
                        .program prog socket
                        mov %r6, %r1
                        mov %r2, 4
                        mov %r3, 44
                        call %r3
                        ldxw %r0, [%r6+24]
                        exit
                        """;
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", "false").build()) {
            Value prog = BpfRunner.evalAsm(context, source, "prog.s").getMember("prog");
            byte[] packet = new byte[20];
            for (int i = 0; i < packet.length; i++) {
                packet[i] = (byte) i;
            }
            byte[] before = packet.clone();
            PolyglotException stopped = assertThrows(PolyglotException.class, () -> prog.execute(packet));
            assertTrue(stopped.getMessage().contains("xdp_adjust_head: r1 is not the XDP context"), stopped::getMessage);
            assertArrayEquals(before, packet);
        }
    }
}
