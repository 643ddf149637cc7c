package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.fuzz.VerifierVerdicts;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;
import org.trufflebpf.verifier.Verifier;

/**
 * The verifier's memory-safety rules against the host kernel's verifier: map values and ring-buffer records
 * NULL-checked before use (copies included), map value accesses within the value, packet accesses within the
 * range that comparisons with data_end proved. Each case states our verdict (with our message) and the
 * kernel's (with its key phrase); where bpf(2) works, the kernel re-checks its part.
 */
class VerifierMemorySafetyTest {
    // Closed with the JVM: the context only reads sources and holds no program or map.
    private static final VerifierVerdicts VERDICTS = new VerifierVerdicts();

    /**
     * @param ours   null when our verifier accepts, else its rejection: {@code insn N: reason}
     * @param kernel null when the kernel accepts, else a phrase of its rejection
     */
    record Case(String behaviour, String text, String ours, String kernel) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    /** A hash map (recent kernels know that some array lookups cannot fail) and its lookup into r0 (insns 0-5). */
    private static final String LOOKUP = """
                    .map counts hash key=4 value=8 entries=1
                    .program prog xdp
                    stw [%r10-4], 0
                    lddw %r1, map:counts
                    mov %r2, %r10
                    add %r2, -4
                    call map_lookup_elem
                    """;

    /** r1 = data, r2 = data_end, r3 = data + 14 (insns 0-3), r0 = 0 (insn 4). */
    private static final String PACKET = """
                    .program prog xdp
                    ldxw %r2, [%r1+4]
                    ldxw %r1, [%r1+0]
                    mov %r3, %r1
                    add %r3, 14
                    mov %r0, 0
                    """;

    /** r6 = the context, r7 = data, r2 = data_end, r3 = data + 1, r0 = 0 (insns 0-5): one byte at r7 is in once r3 <= r2. */
    private static final String ONE_BYTE_PAST_DATA = """
                    .program prog xdp
                    mov %r6, %r1
                    ldxw %r7, [%r6+0]
                    ldxw %r2, [%r6+4]
                    mov %r3, %r7
                    add %r3, 1
                    mov %r0, 0
                    """;

    /** A hash map for the packet cases that pass a key to a helper. */
    private static final String COUNTS = ".map counts hash key=4 value=8 entries=1\n";

    static Stream<Case> nullChecks() {
        return Stream.of(
            new Case("a lookup result dereferenced without a NULL check is refused", LOOKUP + """
                ldxdw %r0, [%r0]
                exit""", "insn 6: R0 invalid mem access 'map_value_or_null'", "R0 invalid mem access 'map_value_or_null'"),
            new Case("a lookup result checked against 0 may be dereferenced on the non-NULL side", LOOKUP + """
                jeq %r0, 0, +2
                ldxdw %r0, [%r0]
                exit
                mov %r0, 0
                exit""", null, null),
            new Case("a copy made by mov before the check is proven by the check of the original", LOOKUP + """
                mov %r6, %r0
                jeq %r0, 0, +2
                ldxdw %r0, [%r6]
                exit
                mov %r0, 0
                exit""", null, null),
            new Case("a copy spilled to the stack before the check is proven when filled back", LOOKUP + """
                stxdw [%r10-16], %r0
                jne %r0, 0, +2
                mov %r0, 0
                exit
                ldxdw %r1, [%r10-16]
                ldxdw %r0, [%r1]
                exit""", null, null),
            new Case("on the NULL side of the check the result is the number 0", LOOKUP + """
                jne %r0, 0, +2
                ldxdw %r0, [%r0]
                exit
                mov %r0, 0
                exit""", "insn 7: R0 invalid mem access 'scalar'", "R0 invalid mem access 'scalar'"),
            new Case("a lookup result may not move before its NULL check", LOOKUP + """
                add %r0, 4
                jeq %r0, 0, +2
                ldxw %r0, [%r0]
                exit
                mov %r0, 0
                exit""", "insn 6: R0 pointer arithmetic on map_value_or_null prohibited, null-check it first",
                "pointer arithmetic on map_value_or_null prohibited"),
            new Case("checking one lookup's result proves nothing about another's", LOOKUP + """
                mov %r6, %r0
                stw [%r10-4], 0
                lddw %r1, map:counts
                mov %r2, %r10
                add %r2, -4
                call map_lookup_elem
                jeq %r6, 0, +2
                ldxdw %r0, [%r0]
                exit
                mov %r0, 0
                exit""", "insn 14: R0 invalid mem access 'map_value_or_null'", "R0 invalid mem access 'map_value_or_null'"),
            new Case("a comparison with a register holding 0 is no NULL check (as in the kernel)", LOOKUP + """
                mov %r1, 0
                jeq %r0, %r1, +2
                ldxdw %r0, [%r0]
                exit
                mov %r0, 0
                exit""", "insn 8: R0 invalid mem access 'map_value_or_null'", "R0 invalid mem access 'map_value_or_null'"),
            new Case("a ring-buffer record written before its NULL check is refused", """
                .map events ringbuf entries=4096
                .program prog xdp
                lddw %r1, map:events
                mov %r2, 8
                mov %r3, 0
                call ringbuf_reserve
                stdw [%r0], 1
                mov %r1, %r0
                mov %r2, 0
                call ringbuf_submit
                mov %r0, 0
                exit""", "insn 5: R0 invalid mem access 'ringbuf_mem_or_null'", "R0 invalid mem access 'ringbuf_mem_or_null'"),
            new Case("a store over a ring-buffer record's header is refused", """
                .map events ringbuf entries=4096
                .program prog xdp
                lddw %r1, map:events
                mov %r2, 16
                mov %r3, 0
                call ringbuf_reserve
                jeq %r0, 0, +4
                stw [%r0-8], 0x3fffffff
                mov %r1, %r0
                mov %r2, 0
                call ringbuf_submit
                mov %r0, 0
                exit""", "insn 6: invalid access to memory, mem_size=16 off=-8 size=4: R0 min value is outside of the allowed memory range",
                "invalid access to memory, mem_size=16 off=-8 size=4"),
            new Case("a ring-buffer record submitted before its NULL check is refused", """
                .map events ringbuf entries=4096
                .program prog xdp
                lddw %r1, map:events
                mov %r2, 8
                mov %r3, 0
                call ringbuf_reserve
                mov %r1, %r0
                mov %r2, 0
                call ringbuf_submit
                mov %r0, 0
                exit""", "insn 7: R1 type=ringbuf_mem_or_null expected=a pointer that is not NULL: ringbuf_submit reads or writes memory through r1",
                "type=ringbuf_mem_or_null expected=ringbuf_mem"));
    }

    static Stream<Case> mapValueBounds() {
        String checked = LOOKUP + "jne %r0, 0, +2\nmov %r0, 0\nexit\n";
        return Stream.of(
            new Case("a map value read past its end is refused", checked + "ldxdw %r0, [%r0+8]\nexit",
                "insn 9: invalid access to map value, value_size=8 off=8 size=8: R0 min value is outside of the allowed memory range",
                "invalid access to map value, value_size=8 off=8 size=8"),
            new Case("a map value read before its start is refused", checked + "ldxb %r0, [%r0-1]\nexit",
                "insn 9: invalid access to map value, value_size=8 off=-1 size=1: R0 min value is outside of the allowed memory range",
                "invalid access to map value, value_size=8 off=-1 size=1"),
            new Case("a map value's last bytes may be read", checked + "ldxw %r0, [%r0+4]\nexit", null, null),
            new Case("a map value plus a number masked into the value may be read", checked + """
                ldxb %r1, [%r0]
                and %r1, 7
                add %r0, %r1
                ldxb %r0, [%r0]
                exit""", null, null),
            new Case("a map value plus a number that may reach past the value is refused", checked + """
                ldxb %r1, [%r0]
                and %r1, 15
                add %r0, %r1
                ldxb %r0, [%r0]
                exit""", "insn 12: invalid access to map value, value_size=8 off=15 size=1: R0 max value is outside of the allowed memory range",
                "R0 max value is outside of the allowed memory range"),
            new Case("a map value plus an unbounded number is refused", checked + """
                ldxw %r1, [%r0]
                add %r0, %r1
                ldxb %r0, [%r0]
                exit""", "insn 11: R0 unbounded memory access, make sure to bounds check any such access",
                "R0 unbounded memory access, make sure to bounds check any such access"),
            new Case("global data read past its value through lddw map_value is refused", """
                .map data array key=4 value=16 entries=1
                .program prog xdp
                lddw %r1, map_value:data+8
                ldxdw %r0, [%r1+8]
                exit""", "insn 2: invalid access to map value, value_size=16 off=16 size=8: R1 min value is outside of the allowed memory range",
                "invalid access to map value, value_size=16 off=16 size=8"));
    }

    /**
     * The eight ways to compare {@code data + 14} (r3) with data_end (r2), each with its safe edge: the
     * fall-through ({@code +1} jumps over the read) or the taken edge ({@code +1} jumps over an exit). A
     * comparison that leaves {@code r3 <= end} proves 14 bytes, one that leaves {@code r3 < end} proves 15.
     */
    record PacketCheck(String jump, boolean safeWhenTaken, int provenBytes) {
    }

    static final List<PacketCheck> PACKET_CHECKS = List.of(
        new PacketCheck("jgt %r3, %r2", false, 14),
        new PacketCheck("jge %r3, %r2", false, 15),
        new PacketCheck("jlt %r2, %r3", false, 14),
        new PacketCheck("jle %r2, %r3", false, 15),
        new PacketCheck("jle %r3, %r2", true, 14),
        new PacketCheck("jlt %r3, %r2", true, 15),
        new PacketCheck("jge %r2, %r3", true, 14),
        new PacketCheck("jgt %r2, %r3", true, 15));

    static Stream<Case> packetBounds() {
        List<Case> cases = new ArrayList<>();
        for (PacketCheck check : PACKET_CHECKS) {
            for (int offset : new int[] {check.provenBytes() - 1, check.provenBytes()}) {
                String read = "ldxb %r0, [%r1+" + offset + "]";
                String body = check.safeWhenTaken() ? check.jump() + ", +1\nexit\n" + read + "\nexit" : check.jump() + ", +1\n" + read + "\nexit";
                int readIndex = check.safeWhenTaken() ? 7 : 6;
                boolean inRange = offset < check.provenBytes();
                cases.add(new Case("after '" + check.jump() + "' on data + 14, packet byte " + offset + (inRange ? " may be read" : " is refused"),
                    PACKET + body, inRange ? null
                        : "insn " + readIndex + ": invalid access to packet, off=" + offset + " size=1, R1(id=0,off=0,r=" + check.provenBytes()
                            + "): R1 offset is outside of the packet",
                    inRange ? null : "R1 offset is outside of the packet"));
            }
        }
        cases.add(new Case("packet byte 40 after checking 14 bytes is refused", PACKET + """
            jgt %r3, %r2, +1
            ldxb %r0, [%r1+40]
            exit""", "insn 6: invalid access to packet, off=40 size=1, R1(id=0,off=0,r=14): R1 offset is outside of the packet",
            "R1 offset is outside of the packet"));
        cases.add(new Case("a packet read without any comparison is refused", PACKET + "ldxb %r0, [%r1]\nexit",
            "insn 5: invalid access to packet, off=0 size=1, R1(id=0,off=0,r=0): R1 offset is outside of the packet",
            "R1 offset is outside of the packet"));
        cases.add(new Case("a packet pointer plus a bounded number needs its own comparison with the end", PACKET + """
            jgt %r3, %r2, +9
            ldxb %r4, [%r1]
            and %r4, 15
            add %r1, %r4
            mov %r5, %r1
            add %r5, 4
            jgt %r5, %r2, +2
            ldxw %r0, [%r1]
            exit
            mov %r0, 0
            exit""", null, null));
        cases.add(new Case("a packet pointer plus a bounded number is not covered by the earlier comparison", PACKET + """
            jgt %r3, %r2, +4
            ldxb %r4, [%r1]
            and %r4, 3
            add %r1, %r4
            ldxw %r0, [%r1]
            exit""", "insn 9: invalid access to packet, off=0 size=4, R1(id=9,off=0,r=0): R1 offset is outside of the packet",
            "R1 offset is outside of the packet"));
        cases.add(new Case("packet pointers are numbers after bpf_xdp_adjust_head", ONE_BYTE_PAST_DATA + """
            jgt %r3, %r2, +4
            mov %r1, %r6
            mov %r2, 0
            call xdp_adjust_head
            ldxb %r0, [%r7]
            exit""", "insn 10: R7 invalid mem access 'scalar'", "R7 invalid mem access 'scalar'"));
        cases.add(new Case("packet pointers survive a call of a function that cannot move the packet, though another function moves it", ONE_BYTE_PAST_DATA + """
            jgt %r3, %r2, +5
            call local pure
            ldxb %r0, [%r7]
            mov %r1, %r6
            call local moves
            exit
            exit
            pure:
            mov %r0, 0
            exit
            moves:
            mov %r2, 0
            call xdp_adjust_head
            mov %r0, 0
            exit""", null, null));
        cases.add(new Case("a function that calls bpf_xdp_adjust_head, directly or through another, makes its callers' packet pointers numbers", ONE_BYTE_PAST_DATA + """
            jgt %r3, %r2, +3
            mov %r1, %r6
            call local outer
            ldxb %r0, [%r7]
            exit
            outer:
            call local moves
            mov %r0, 0
            exit
            moves:
            mov %r2, 0
            call xdp_adjust_head
            mov %r0, 0
            exit""", "insn 9: R7 invalid mem access 'scalar'", "R7 invalid mem access 'scalar'"));
        // A program tail called from a subprogram returns to the subprogram's caller, and may have moved the
        // packet. (The kernel wants BTF for a subprogram that tail calls, and refuses this one for that.)
        cases.add(new Case("a function that tail calls makes its callers' packet pointers numbers", ".map jt prog_array key=4 value=4 entries=1\n" + ONE_BYTE_PAST_DATA + """
            jgt %r3, %r2, +3
            mov %r1, %r6
            call local jumps
            ldxb %r0, [%r7]
            exit
            jumps:
            lddw %r2, map:jt
            mov %r3, 0
            call tail_call
            mov %r0, 0
            exit""", "insn 9: R7 invalid mem access 'scalar'", "tail_call is not allowed in subprogs without BTF"));
        // The kernel verifies a static function only where it is called; we check a dead one with arguments of
        // unknown kind, so what it loads at data's offset may be a packet pointer (checked at run time).
        cases.add(new Case("a function only dead code calls may load the packet pointer from its context argument", """
            .program prog xdp
            ldxw %r0, [%r1+12]
            mov %r0, 15
            jset32 %r0, 3, +1
            call local dead
            exit
            dead:
            ldxw %r2, [%r1+0]
            ldxw %r3, [%r1+4]
            mov %r4, %r2
            add %r4, 8
            mov %r0, 0
            jgt %r4, %r3, +1
            stdw [%r2+0], 0
            exit""", null, null));
        // A helper reads a key where a load would: in the proven range (insns 5-7 load the map, insn 8 calls).
        cases.add(new Case("a map key in the packet lies in the range a comparison proved", COUNTS + PACKET + """
            jgt %r3, %r2, +5
            ldxb %r0, [%r1]
            mov %r2, %r1
            lddw %r1, map:counts
            call map_lookup_elem
            mov %r0, 0
            exit""", null, null));
        cases.add(new Case("a map key in the packet beyond the proven range is refused", COUNTS + PACKET + """
            jgt %r3, %r2, +6
            ldxb %r0, [%r1]
            mov %r2, %r1
            add %r2, 12
            lddw %r1, map:counts
            call map_lookup_elem
            exit""",
            "insn 11: invalid access to packet, off=12 size=4, R2(id=0,off=12,r=14): R2 offset is outside of the packet", "R2 offset is outside of the packet"));
        cases.add(new Case("a map key in a map value must fit in the value", LOOKUP + """
            jne %r0, 0, +2
            mov %r0, 0
            exit
            mov %r2, %r0
            add %r2, 6
            lddw %r1, map:counts
            call map_lookup_elem
            mov %r0, 0
            exit""", "insn 13: invalid access to map value, value_size=8 off=6 size=4: R2 min value is outside of the allowed memory range",
            "R2 min value is outside of the allowed memory range"));
        cases.add(new Case("the context is no map key: its bytes are not its fields", COUNTS + """
            .program prog xdp
            mov %r2, %r1
            lddw %r1, map:counts
            call map_lookup_elem
            mov %r0, 0
            exit""", "insn 3: R2 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem: map_lookup_elem reads or writes memory through r2",
            "R2 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem"));
        cases.add(new Case("the packet's end may not move", PACKET + """
            add %r2, 1
            exit""", "insn 5: R2 pointer arithmetic on pkt_end prohibited", "pointer arithmetic on pkt_end prohibited"));
        cases.add(new Case("the packet's end may not be dereferenced", PACKET + """
            ldxb %r0, [%r2]
            exit""", "insn 5: R2 invalid mem access 'pkt_end'", "R2 invalid mem access 'pkt_end'"));
        return cases.stream();
    }

    static Stream<Case> allCases() {
        return Stream.of(nullChecks(), mapValueBounds(), packetBounds()).flatMap(s -> s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void ourVerdictAndMessage(Case c) {
        Program program = Assembler.assembleProgram(c.text(), "prog.s");
        if (c.ours() == null) {
            Verifier.verify(program);
            return;
        }
        BpfError e = assertThrows(BpfError.class, () -> Verifier.verify(program));
        assertEquals(c.ours(), "insn " + e.instructionIndex() + ": " + e.reason());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void theKernelAgrees(Case c) {
        KernelEngineTest.assumeKernel();
        VerifierVerdicts.Verdict verdict = VERDICTS.kernel(c.text(), "prog.s");
        if (c.kernel() == null) {
            assertTrue(verdict.accepted(), () -> verdict.reason() + "\n" + verdict.log());
        } else {
            assertTrue(!verdict.accepted() && verdict.log().contains(c.kernel()), () -> "expected '" + c.kernel() + "', kernel: " + verdict.reason() + "\n" + verdict.log());
        }
    }
}
