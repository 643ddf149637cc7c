package org.trufflebpf.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where the kernel engine may differ from ours by design, each difference with why, and the only
 * place where such differences are masked. There are three kinds:
 * <ul>
 * <li>How a run is handed to {@code BPF_PROG_TEST_RUN} and read back ({@link #kernelPacket},
 * {@link #comparablePacket}, {@link #notRunReason}): the socket filter's network-header start, the minimum packet
 * length.</li>
 * <li>What the kernel cannot report the way our engines do ({@link #comparable}): left out of both outcomes
 * before they are compared, whatever the program.</li>
 * <li>Programs whose results legitimately depend on the engine ({@link #explain}): they are compared all the
 * same, and a difference is accepted only when a listed reason covers every field that differs, so that agreement
 * is still checked where it happens.</li>
 * </ul>
 * A program only the kernel's verifier rejects is no divergence either: ours is not yet kernel-grade (issue 11),
 * so the runner counts and reports such cases apart ({@link DifferentialRunner.KernelResult#ONLY_KERNEL_REJECTS}),
 * and {@code bpf fuzz --verifier} studies them. A program only ours rejects is a divergence unless
 * {@link #explainVerdict} covers it.
 */
public final class KernelDifferences {
    private KernelDifferences() {
    }

    /**
     * BPF_PROG_TEST_RUN starts a socket filter's skb at the network header (skb->data after the Ethernet header,
     * skb->len 14 bytes shorter) and hands the packet back with those 14 bytes zeroed; our engines give a socket
     * filter the whole input. So the kernel's run of a socket filter gets {@value} header bytes in front of our
     * engines' input, and only the bytes after them are compared.
     */
    public static final int SOCKET_FILTER_HEADER_BYTES = 14;

    /**
     * The header put in front: zero MAC addresses (the test run's loopback device has the zero address, so the
     * kernel's skb->pkt_type is PACKET_HOST, 0, as ours) and EtherType 0x88b5 (local experimental), for which the
     * test run expects no network header (see {@link #notRunReason}).
     */
    private static final byte[] SOCKET_FILTER_HEADER = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x88, (byte) 0xb5};

    /** BPF_PROG_TEST_RUN refuses packets shorter than an Ethernet header (EINVAL). */
    public static final int MIN_PACKET_BYTES = 14;

    /**
     * Why the kernel cannot run a program of this type over our engines' input, or null when it can. Besides the
     * Ethernet header, an skb's test run (socket filter, tc) refuses an IPv4 or IPv6 EtherType without a whole
     * IPv4 (20 bytes) or IPv6 (40 bytes) header after it.
     */
    public static String notRunReason(String type, byte[] ourInput) {
        if (type == null || type.equals(ModuleFacts.RAW)) {
            return "raw-memory programs have no kernel counterpart";
        }
        byte[] packet = kernelPacket(type, ourInput);
        if (packet.length < MIN_PACKET_BYTES) {
            return "BPF_PROG_TEST_RUN refuses packets shorter than an Ethernet header (" + packet.length + " bytes)";
        }
        if (!type.equals(ModuleFacts.XDP)) {
            int etherType = (packet[12] & 0xff) << 8 | packet[13] & 0xff;
            int networkHeader = etherType == 0x0800 ? 20 : etherType == 0x86dd ? 40 : 0;
            if (packet.length < MIN_PACKET_BYTES + networkHeader) {
                return "BPF_PROG_TEST_RUN refuses an skb whose EtherType 0x" + Integer.toHexString(etherType) + " is not followed by a whole "
                                + (networkHeader == 20 ? "IPv4" : "IPv6") + " header (" + packet.length + " bytes)";
            }
        }
        return null;
    }

    /** The packet the kernel's run gets for our engines' input (see {@link #SOCKET_FILTER_HEADER_BYTES}). */
    public static byte[] kernelPacket(String type, byte[] ourInput) {
        byte[] input = ourInput == null ? new byte[0] : ourInput;
        if (!ModuleFacts.SOCKET_FILTER.equals(type)) {
            return input.clone();
        }
        byte[] packet = Arrays.copyOf(SOCKET_FILTER_HEADER, SOCKET_FILTER_HEADER_BYTES + input.length);
        System.arraycopy(input, 0, packet, SOCKET_FILTER_HEADER_BYTES, input.length);
        return packet;
    }

    /** The part of the kernel's packet after the run that corresponds to our engines' input after theirs. */
    public static byte[] comparablePacket(String type, byte[] kernelPacketAfter) {
        if (kernelPacketAfter == null || !ModuleFacts.SOCKET_FILTER.equals(type)) {
            return kernelPacketAfter;
        }
        return Arrays.copyOfRange(kernelPacketAfter, SOCKET_FILTER_HEADER_BYTES, kernelPacketAfter.length);
    }

    /**
     * An outcome without what the kernel cannot report as our engines do, whichever engine produced it:
     * <ul>
     * <li>r0 is BPF_PROG_TEST_RUN's {@code retval}, a u32: only the low 32 bits of ours are compared;</li>
     * <li>the kernel counts no instructions (no budget, no count);</li>
     * <li>bpf_trace_printk writes to the kernel's trace pipe, not to the context's output;</li>
     * <li>ring buffer records written in the kernel are not read back into our ring buffers.</li>
     * </ul>
     */
    public static Outcome comparable(Outcome outcome, ModuleFacts facts) {
        Map<String, List<String>> maps = new LinkedHashMap<>(outcome.maps());
        maps.keySet().removeAll(facts.ringBufs());
        Long r0 = outcome.r0() == null ? null : outcome.r0() & 0xffff_ffffL;
        return new Outcome(r0, outcome.errorKind(), outcome.error(), outcome.memory(), maps, "", -1);
    }

    /** Helpers whose values are the kernel's own: the clocks, its random numbers, the calling thread's ids. */
    private static final List<String> ENGINE_VALUED_HELPERS = List.of("ktime_get_ns", "ktime_get_boot_ns", "get_prandom_u32", "get_current_pid_tgid");

    /** Results: r0, the packet and maps, which every reason about what a program computes may explain. */
    private static boolean isResult(String field) {
        return field.equals("r0") || field.equals("memory") || field.startsWith("map ");
    }

    /**
     * Why the kernel's outcome may differ from ours in {@code fields} (as {@link Outcome#fieldsOf} names them), or
     * null when some field that differs is not covered: then it is a divergence.
     *
     * @param ours                      our engines' outcome (they agree with each other)
     * @param tailCallAbi               the ABI our run used ({@code counter-by-value} or {@code shared})
     * @param progArraysChangedFromHost whether the host changed a prog-array slot since the module was loaded
     */
    public static String explain(List<String> fields, Outcome ours, ModuleFacts facts, String tailCallAbi, boolean progArraysChangedFromHost) {
        if (fields.isEmpty()) {
            return null;
        }
        if (ours.failed() && "runtime".equals(ours.errorKind()) && ours.error() != null && ours.error().contains("execution budget of")) {
            // Everything our run would have done after the stop differs.
            return "our engines stop at the instruction budget (bpf.InstructionLimit); the kernel has none (its verifier bounds loops instead)";
        }
        List<String> reasons = new ArrayList<>();
        boolean resultsExplained = false;
        for (String helper : ENGINE_VALUED_HELPERS) {
            if (facts.calls(helper)) {
                reasons.add("calls bpf_" + helper + ", whose values are each engine's own");
                resultsExplained = true;
            }
        }
        if (facts.calls("tail_call") && !"shared".equals(tailCallAbi)) {
            reasons.add("tail calls with the counter passed by value (the seed's ABI); the kernel shares one counter per run since 6.10 and "
                            + "counts a call only when its slot is filled (bpf.TailCallAbi=shared is the kernel's)");
            resultsExplained = true;
        }
        if (progArraysChangedFromHost) {
            reasons.add("prog-array slots changed from the host after load are not mirrored into the kernel's prog arrays yet");
            resultsExplained = true;
        }
        boolean packetExplained = false;
        if (facts.calls("xdp_adjust_head")) {
            reasons.add("bpf_xdp_adjust_head moves the packet's start: BPF_PROG_TEST_RUN hands back the packet from its new start, our engines "
                            + "the bytes where it started");
            packetExplained = true;
        }
        for (String field : fields) {
            boolean explained = isResult(field) && resultsExplained || field.equals("memory") && packetExplained;
            if (!explained) {
                return null;
            }
        }
        return String.join("; ", reasons);
    }

    /**
     * Why our verifier may reject a program the kernel accepts, or null when that is a divergence: a call of a
     * helper we do not provide (our helper set is a subset of the kernel's).
     */
    public static String explainVerdict(Outcome oursRejected) {
        String error = oursRejected.error();
        if (error != null && error.matches(".*calls (unknown helper \\d+|helper \\d+( \\(bpf_\\w+\\))?, which TruffleBPF does not support).*")) {
            return "calls a helper our engines do not provide";
        }
        return null;
    }
}
