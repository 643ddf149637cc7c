package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.kernel.KernelEngineService;

/**
 * bpf_redirect_map through a devmap, a devmap_hash, a cpumap and an xskmap ({@code examples/c/redirect_targets.c}):
 * XDP_REDIRECT when the key has an entry, else the flags' low bits; flags beyond them (and beyond BPF_F_BROADCAST
 * and BPF_F_EXCLUDE_INGRESS for devmaps) XDP_ABORTED. The actions were recorded on Linux 6.18 (the kernel engine,
 * with ifindex 1, the loopback device, in the devmaps); where bpf(2) works (and TRUFFLEBPF_NO_KERNEL is not 1) the
 * kernel engine is run again and must still give them. BPF_PROG_TEST_RUN reports no target, so the recorded
 * target (map, key, the devmap entry's ifindex) is checked on the other engines. The host's errnos are those
 * BPF_MAP_UPDATE_ELEM/DELETE_ELEM gave on Linux 6.18 for maps created alike.
 */
class RedirectMapTest {
    private static final int TX_PORTS = 0;
    private static final int TX_BY_ID = 1;
    private static final int CPUS = 2;
    private static final int SOCKETS = 3;
    private static final long BROADCAST = 1 << 3;

    private static List<String> engines() {
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        String reason = new KernelEngineService().unavailableReason();
        if (reason == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            engines.add("kernel");
        }
        return engines;
    }

    private static byte[] command(int map, int key, long flags) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, map).putInt(4, key).putLong(8, flags).array();
    }

    private static String redirectText(Value program) {
        Value target = program.getMember("redirect");
        if (target.isNull()) {
            return "-";
        }
        return target.getMember("map").asString() + "[" + target.getMember("key").asLong() + "] ifindex " + target.getMember("ifindex").asLong();
    }

    private static String host(Runnable call) {
        try {
            call.run();
            return "ok";
        } catch (PolyglotException e) {
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            return e.getMessage().replaceAll(".*failed: ", "");
        }
    }

    private static final int[][] COMMANDS = {
        {TX_PORTS, 0, 0}, {TX_PORTS, 1, 2}, {TX_PORTS, 1, (int) BROADCAST}, {TX_PORTS, 0, 0x20}, {TX_BY_ID, 7, 0}, {TX_BY_ID, 8, 1},
        {CPUS, 1, 0}, {CPUS, 0, (int) BROADCAST}, {CPUS, 0, 2}, {SOCKETS, 0, 3}, {SOCKETS, 0, 4},
    };

    /** XDP actions recorded with the kernel engine on Linux 6.18. */
    private static final List<Long> KERNEL_ACTIONS = List.of(4L, 2L, 4L, 0L, 4L, 1L, 4L, 0L, 2L, 3L, 0L, 2L, 1L);
    private static final List<String> TARGETS = List.of("tx_ports[0] ifindex 1", "-", "tx_ports[1] ifindex 0", "-", "tx_by_id[7] ifindex 1", "-",
                    "cpus[1] ifindex 0", "-", "-", "-", "-");
    /** BPF_MAP_UPDATE_ELEM and DELETE_ELEM on Linux 6.18. */
    private static final List<String> KERNEL_HOST_ERRNOS = List.of("E2BIG", "EINVAL", "EINVAL", "EOVERFLOW", "ok", "ok");

    @Test
    void redirectMapGivesTheKernelsActionAndRecordsTheTargetAndHostUpdatesGiveTheKernelsErrnos() {
        Map<String, Object> all = new LinkedHashMap<>();
        for (String engine : engines()) {
            List<Long> actions = new ArrayList<>();
            List<String> targets = new ArrayList<>();
            List<String> errnos = new ArrayList<>();
            // Two CPUs, as the machine the kernel's results come from: the cpumap has an entry for CPU 1.
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).option("bpf.Cpus", "2").build()) {
                Value module = context.eval(Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), "examples/c/redirect_targets.o")).buildLiteral());
                Value program = module.getMember("redirect_targets");
                Value txPorts = module.getMember("tx_ports");
                Value txById = module.getMember("tx_by_id");
                Value cpus = module.getMember("cpus");
                txPorts.putHashEntry(0, 1);
                txById.putHashEntry(7, 1L);
                cpus.putHashEntry(1, 64L);
                for (int[] command : COMMANDS) {
                    actions.add(program.execute((Object) command(command[0], command[1], command[2])).asLong());
                    targets.add(redirectText(program));
                }
                errnos.add(host(() -> txPorts.putHashEntry(4, 1)));
                errnos.add(host(() -> txById.putHashEntry(8, 0L)));
                // A program fd in the entry: not a program in the kernel's test, not supported here.
                errnos.add(host(() -> txById.putHashEntry(8, 1L | 5L << 32)));
                errnos.add(host(() -> cpus.putHashEntry(0, 20000L)));
                // ifindex 0 and queue size 0 empty their slots: the redirect falls back.
                errnos.add(host(() -> txPorts.putHashEntry(0, 0)));
                errnos.add(host(() -> cpus.putHashEntry(1, 0L)));
                actions.add(program.execute((Object) command(TX_PORTS, 0, 2)).asLong());
                actions.add(program.execute((Object) command(CPUS, 1, 1)).asLong());
            }
            all.put(engine, actions);
            all.put(engine + " targets", targets);
            all.put(engine + " errnos", errnos);
        }
        for (String engine : engines()) {
            assertEquals(KERNEL_ACTIONS, all.get(engine), engine + " " + all);
            assertEquals(KERNEL_HOST_ERRNOS, all.get(engine + " errnos"), engine + " " + all);
            if (!engine.equals("kernel")) {
                assertEquals(TARGETS, all.get(engine + " targets"), engine + " " + all);
            }
        }
    }
}
