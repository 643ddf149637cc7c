package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.trufflebpf.fuzz.KernelDifferences;
import org.junit.jupiter.api.Test;

/**
 * The kernel engine loads an object's BTF: maps declared with {@code __type} key and value get them in the kernel
 * (seen through BPF_OBJ_GET_INFO_BY_FD, which the engine reports), programs get func_info, and a BTF the kernel
 * refuses leaves the maps without types, with the kernel's reason kept.
 */
class KernelBtfTest {
    private static final byte[] PACKET = HexFormat.of().parseHex(KernelEngineTest.README_PACKET);

    private static Source example(String name) {
        return Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), "examples/c/" + name)).buildLiteral();
    }

    @Test
    void aBtfDefinedMapIsCreatedWithItsKeyAndValueTypesInTheKernel() {
        KernelEngineTest.assumeKernel();
        try (Context context = Context.newBuilder("bpf").option("bpf.Engine", "kernel").build()) {
            Value program = context.eval(example("xdp_parser.o")).getMember("xdp_parse");
            String status = program.getMember("kernelBtf").asString();
            // The kernel's own account of the map: its BTF object and the ids of __u32 (key) and __u64 (value).
            Matcher map = Pattern.compile("proto_counts \\(btf_id (\\d+), key type (\\d+), value type (\\d+)\\)").matcher(status);
            assertTrue(status.startsWith("loaded; ") && map.find(), status);
            assertTrue(Long.parseLong(map.group(1)) > 0 && Long.parseLong(map.group(2)) > 0 && Long.parseLong(map.group(3)) > 0, status);
            assertEquals(1, program.execute((Object) PACKET).asLong());
        }
        KernelEngineTest.Outcome verify = KernelEngineTest.bpf("verify", "--kernel", KernelEngineTest.ROOT.resolve("examples/c/xdp_parser.o").toString());
        assertEquals(0, verify.exit(), verify.err());
        assertTrue(Pattern.compile("(?m)^kernel BTF: loaded; maps with types: proto_counts \\(btf_id [1-9]\\d*, key type [1-9]\\d*, value type [1-9]\\d*\\)$")
                        .matcher(verify.out()).find(), verify.out());
    }

    @Test
    void aBtfTheKernelRefusesLeavesMapsUntypedKeepsTheReasonAndTheProgramStillRuns() {
        KernelEngineTest.assumeKernel();
        // clang shrank the static 'hidden' to 4 bytes but left its 8-byte type in BTF: the kernel refuses the
        // BTF (libbpf then goes on without it, and so do we).
        String file = KernelEngineTest.ROOT.resolve("examples/c/global_data.o").toString();
        KernelEngineTest.Outcome verify = KernelEngineTest.bpf("verify", "--kernel", file);
        assertEquals(0, verify.exit(), verify.err());
        assertTrue(verify.out().contains("kernel: use_globals: ok\n"), verify.out());
        assertTrue(Pattern.compile("(?m)^kernel BTF: refused by the kernel \\(BPF_BTF_LOAD: EINVAL \\(invalid argument\\): .+\\); maps created without key/value types$")
                        .matcher(verify.out()).find(), verify.out());
        long[] r0 = new long[2];
        String[] engines = {"interpreter", "kernel"};
        for (int i = 0; i < engines.length; i++) {
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engines[i]).build()) {
                Value program = context.eval(example("global_data.o")).getMember("use_globals");
                if (engines[i].equals("kernel")) {
                    assertTrue(program.getMember("kernelBtf").asString().startsWith("refused by the kernel (BPF_BTF_LOAD: "), program.getMember("kernelBtf").asString());
                }
                // A socket filter: the kernel's run starts at the network header (KernelDifferences).
                byte[] input = engines[i].equals("kernel") ? PACKET : Arrays.copyOfRange(PACKET, KernelDifferences.SOCKET_FILTER_HEADER_BYTES, PACKET.length);
                r0[i] = program.execute((Object) input).asLong();
            }
        }
        assertEquals(r0[0], r0[1], "kernel against the interpreter");
    }

    @Test
    void withFuncInfoTheKernelChecksAGlobalFunctionOnItsOwnAndAcceptsACallbackAddress() {
        KernelEngineTest.assumeKernel();
        // bpf2bpf.c's global sum_of_squares: with func_info the kernel verifies it once, against its prototype.
        KernelEngineTest.Outcome global = KernelEngineTest.bpf("verify", "--kernel", KernelEngineTest.ROOT.resolve("examples/c/bpf2bpf.o").toString(), "--program",
                        "tc_main");
        assertEquals(0, global.exit(), global.out() + global.err());
        assertTrue(global.out().contains("Func#1 ('sum_of_squares') is safe for any args that match its prototype"), global.out());
        // cross_section.c's loop_sum passes a callback to bpf_loop: without func_info the kernel refuses the
        // callback's address ("missing btf func_info"). Our engines have no bpf_loop, so only the kernel accepts.
        KernelEngineTest.Outcome callback = KernelEngineTest.bpf("verify", "--kernel", KernelEngineTest.ROOT.resolve("examples/c/cross_section.o").toString(),
                        "--program", "loop_sum");
        assertTrue(callback.out().contains("ours:   loop_sum: rejected: ") && callback.out().contains("calls helper 181 (bpf_loop), which TruffleBPF does not support"), callback.out());
        assertTrue(callback.out().contains("kernel: loop_sum: ok\n"), callback.out());
    }
}
