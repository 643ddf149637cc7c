package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;

/**
 * The program-type rules ({@link ProgramTypeRules}), each with its own message: helpers a type may not call,
 * also when reached through {@code callx}; context fields a type may not load or store, or not at that width;
 * LD_ABS/LD_IND outside socket and tc programs; division by an immediate zero. (The host kernel judges the
 * same cases alike: ProgramTypeRulesKernelAgreementTest in the tests module.)
 */
class ProgramTypeRulesTest {
    record Case(String behaviour, String text, String message) {
        Case(String behaviour, String text) {
            this(behaviour, text, null);
        }

        @Override
        public String toString() {
            return behaviour;
        }
    }

    private static String rejection(int insn, String text, String reason) {
        return "prog.s: function 'prog': insn " + insn + " '" + text + "': " + reason;
    }

    static Stream<Case> rejected() {
        return Stream.of(
            new Case("a socket filter may not call xdp_adjust_head", """
                .program prog socket
                mov %r2, 4
                call xdp_adjust_head
                exit""",
                rejection(1, "call 44", "helper xdp_adjust_head is not available to socket_filter programs")),
            new Case("an XDP program may not call skb_load_bytes", """
                .program prog xdp
                mov %r2, 0
                mov %r3, %r10
                add %r3, -8
                mov %r4, 8
                call skb_load_bytes
                exit""",
                rejection(4, "call 26", "helper skb_load_bytes is not available to xdp programs")),
            new Case("callx is no way around the per-type helper rule", """
                .program prog socket
                mov %r2, 4
                mov %r3, 44
                call %r3
                mov %r0, 0
                exit""",
                rejection(2, "call %r3", "helper xdp_adjust_head is not available to socket_filter programs (called through r3)")),
            new Case("LD_ABS is refused in XDP programs", """
                .program prog xdp
                mov %r6, %r1
                ldabsb 12
                exit""",
                rejection(1, "ldabsb 12", "LD_ABS and LD_IND are only for socket and tc programs (they read an sk_buff's packet), not xdp programs")),
            new Case("LD_IND is refused in raw-memory programs, which have no packet", """
                mov %r6, %r1
                mov %r2, 0
                ldindh %r2, 12
                exit""",
                rejection(2, "ldindh %r2, 12", "LD_ABS and LD_IND are only for socket and tc programs (they read an sk_buff's packet), not raw programs")),
            new Case("a socket filter may not read __sk_buff.data", """
                .program prog socket
                ldxw %r2, [%r1+76]
                mov %r0, 0
                exit""",
                rejection(0, "ldxw %r2, [%r1+76]", "context access at offset 76 (4 bytes): socket_filter programs may not read __sk_buff.data")),
            new Case("a socket filter may write only cb[], not mark", """
                .program prog socket
                stw [%r1+8], 1
                mov %r0, 0
                exit""",
                rejection(0, "stw [%r1+8], 1", "context access at offset 8 (4 bytes): socket_filter programs may not write __sk_buff.mark")),
            new Case("a tc program writes mark whole, not one byte of it", """
                .program prog tc
                stb [%r1+8], 1
                mov %r0, 0
                exit""",
                rejection(0, "stb [%r1+8], 1", "context access at offset 8 (1 bytes): __sk_buff.mark is written whole, as 4 bytes")),
            new Case("a u32 field of __sk_buff is not read as 8 bytes", """
                .program prog tc
                ldxdw %r2, [%r1+0]
                mov %r0, 0
                exit""",
                rejection(0, "ldxdw %r2, [%r1]", "context access at offset 0 (8 bytes): __sk_buff.len is 4 bytes")),
            new Case("a context access must be aligned to its size", """
                .program prog tc
                ldxh %r2, [%r1+1]
                mov %r0, 0
                exit""",
                rejection(0, "ldxh %r2, [%r1+1]", "context access at offset 1 (2 bytes): not aligned to its size")),
            new Case("an access past the end of __sk_buff is refused", """
                .program prog tc
                ldxw %r2, [%r1+192]
                mov %r0, 0
                exit""",
                rejection(0, "ldxw %r2, [%r1+192]", "context access at offset 192 (4 bytes): outside struct __sk_buff (192 bytes)")),
            new Case("the context is never changed atomically", """
                .program prog tc
                mov %r2, 1
                lock add [%r1+48], %r2
                mov %r0, 0
                exit""",
                rejection(1, "lock add [%r1+48], %r2", "context access at offset 48 (8 bytes): atomic operations on the context are not allowed")),
            new Case("the packet pointer is not loaded sign-extended", """
                .program prog tc
                ldxsw %r2, [%r1+76]
                mov %r0, 0
                exit""",
                rejection(0, "ldxsw %r2, [%r1+76]", "context access at offset 76 (4 bytes): the packet pointer there cannot be loaded sign-extended")),
            new Case("xdp_md is read-only", """
                .program prog xdp
                stw [%r1+12], 0
                mov %r0, 0
                exit""",
                rejection(0, "stw [%r1+12], 0", "context access at offset 12 (4 bytes): xdp_md is read-only")),
            new Case("xdp_md.egress_ifindex is only for devmap programs", """
                .program prog xdp
                ldxw %r2, [%r1+20]
                mov %r0, 0
                exit""",
                rejection(0, "ldxw %r2, [%r1+20]", "context access at offset 20 (4 bytes): egress_ifindex is only for devmap programs")),
            new Case("a subprogram given the context obeys the same rules", """
                .program prog socket
                call local read
                exit
                read:
                ldxw %r0, [%r1+76]
                exit""",
                "prog.s: function 'read': insn 2 'ldxw %r0, [%r1+76]': context access at offset 76 (4 bytes): socket_filter programs may not read __sk_buff.data"),
            new Case("64-bit division by the immediate 0", """
                mov %r0, 7
                div %r0, 0
                exit""",
                rejection(1, "div %r0, 0", "division by zero: the divisor is the immediate 0")),
            new Case("32-bit signed modulo by the immediate 0", """
                mov %r0, 7
                smod32 %r0, 0
                exit""",
                rejection(1, "smod32 %r0, 0", "division by zero: the divisor is the immediate 0")));
    }

    static Stream<Case> accepted() {
        return Stream.of(
            new Case("a tc program reads data and data_end and writes mark, priority and cb", """
                .program prog tc
                ldxw %r2, [%r1+76]
                ldxw %r3, [%r1+80]
                stw [%r1+8], 1
                mov %r4, 2
                stxw [%r1+32], %r4
                stb [%r1+49], 3
                mov %r0, 0
                exit"""),
            new Case("a socket filter reads len and narrow parts of protocol, writes cb and uses LD_ABS", """
                .program prog socket
                mov %r6, %r1
                ldxw %r2, [%r6+0]
                ldxh %r3, [%r6+16]
                ldxb %r3, [%r6+17]
                stxdw [%r6+48], %r2
                ldabsh 12
                exit"""),
            new Case("an XDP program reads its pointers and may call xdp_adjust_head through callx", """
                .program prog xdp
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                mov %r2, 0
                mov %r3, 44
                call %r3
                mov %r0, 2
                exit"""),
            new Case("division by a register that holds 0 is BPF's defined x / 0 = 0", """
                mov %r0, 7
                mov %r1, 0
                div %r0, %r1
                mod32 %r0, %r1
                exit"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithItsOwnMessage(Case c) {
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(Assembler.assembleProgram(c.text(), "prog.s")));
        assertEquals(BpfError.Kind.VERIFY, error.kind());
        assertEquals(c.message(), error.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void verifies(Case c) {
        assertTrue(Verifier.verify(Assembler.assembleProgram(c.text(), "prog.s")).isVerified(), c.behaviour());
    }
}
