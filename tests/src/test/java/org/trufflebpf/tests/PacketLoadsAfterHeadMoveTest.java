package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.graalvm.polyglot.Context;
import org.junit.jupiter.api.Test;

/**
 * LD_ABS and LD_IND read the packet as it is now, after a helper moved its start, on both engines. Only XDP
 * moves a packet (xdp_adjust_head), and the verifier refuses LD_ABS/LD_IND in XDP programs as the kernel does;
 * unverified programs may still combine them, so the engines must agree on what they read.
 */
class PacketLoadsAfterHeadMoveTest {
    private static final String LOAD_BEFORE_AND_AFTER = """
                    .program head xdp
                    mov %r6, %r1
                    mov %r8, %r2
                    ldabsb 2
                    mov %r7, %r0
                    mov %r1, %r6
                    mov %r2, 2
                    call xdp_adjust_head
                    jne %r0, 0, bad
                    ldabsb 0
                    mov %r9, %r0
                    ldindb %r8, 0
                    lsh %r9, 8
                    or %r0, %r9
                    lsh %r7, 16
                    or %r0, %r7
                    exit
                    bad:
                    mov %r0, 99
                    exit
                    """;

    /** The program reads byte {@code indOffset} through LD_IND after the move. */
    private static long run(String engine, byte[] packet, int indOffset) {
        String asm = LOAD_BEFORE_AND_AFTER.replace("mov %r8, %r2", "mov %r8, " + indOffset);
        try (Context context = BpfRunner.contextBuilder().option("bpf.Engine", engine).option("bpf.Verify", "false").build()) {
            return BpfRunner.evalAsm(context, asm, "head.s").execute(packet).asLong();
        }
    }

    /** Bytes 0x10, 0x11, ...: xdp_adjust_head keeps at least an Ethernet header, so packets are 16 bytes or more. */
    private static byte[] packet(int length) {
        byte[] packet = new byte[length];
        for (int i = 0; i < length; i++) {
            packet[i] = (byte) (0x10 + i);
        }
        return packet;
    }

    @Test
    void ldAbsAndLdIndSeeTheMovedPacketOnBothEngines() {
        for (String engine : new String[] {"interpreter", "native"}) {
            // byte 2 before the move, byte 0 after it (the old byte 2), then byte 21 after it (the old byte 23).
            assertEquals(0x121227L, run(engine, packet(24), 21), engine);
        }
    }

    @Test
    void ldIndPastTheMovedPacketsEndEndsTheProgramWithZeroOnBothEngines() {
        // 24 bytes: after the move 22 are left, so byte 22 is beyond the end (before the move it was not).
        for (String engine : new String[] {"interpreter", "native"}) {
            assertEquals(0, run(engine, packet(24), 22), engine);
        }
    }
}
