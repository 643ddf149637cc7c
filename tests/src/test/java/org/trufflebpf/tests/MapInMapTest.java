package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.Test;
import org.trufflebpf.kernel.KernelEngineService;
import org.trufflebpf.runtime.maps.Errno;

/**
 * BPF_MAP_TYPE_ARRAY_OF_MAPS and HASH_OF_MAPS: {@code examples/c/map_in_map.c} looks an inner hash up in an
 * outer map (initial slots from {@code .values}) and updates, deletes or looks up in it from the packet; the host
 * sets and clears outer entries. The expected results were recorded on Linux 6.18 (the kernel engine); where
 * bpf(2) works (and TRUFFLEBPF_NO_KERNEL is not 1) the kernel engine is run again and must still give them. The
 * host's updates and deletes reach the runtime's maps on every engine (the kernel engine mirrors them before a
 * run); their errnos are those the same BPF_MAP_UPDATE_ELEM/DELETE_ELEM sequence got from Linux 6.18 on kernel
 * maps created alike (libbpf's bpf_map_create with inner_map_fd).
 */
class MapInMapTest {
    private static final int LOOKUP = 0;
    private static final int UPDATE = 1;
    private static final int DELETE = 2;
    private static final int BY_INDEX = 0;
    private static final int BY_HASH = 1;
    private static final long ANY = 0;
    private static final long NOEXIST = 1;
    private static final long EXIST = 2;

    private static List<String> engines() {
        List<String> engines = new ArrayList<>(List.of("interpreter", "native"));
        String reason = new KernelEngineService().unavailableReason();
        if (reason == null && !"1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
            engines.add("kernel");
        }
        return engines;
    }

    private static Source object(String name) {
        return Source.newBuilder("bpf", new File(KernelEngineTest.ROOT.toFile(), "examples/c/" + name)).buildLiteral();
    }

    /** struct command of map_in_map.c. */
    private static byte[] command(int op, int outer, int outerKey, int innerKey, long flags, long value) {
        ByteBuffer packet = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        packet.put(0, (byte) op).put(1, (byte) outer).putInt(4, outerKey).putInt(8, innerKey).putInt(12, (int) flags).putLong(16, value);
        return packet.array();
    }

    /** What map_in_map returns, as text: the value or "none" for lookups, "no inner map", else the helper's result. */
    private static String result(int op, long r0) {
        int value = (int) r0;
        if (value == 0x7ffffffe) {
            return "no inner map";
        }
        if (op == LOOKUP) {
            return value == -1 ? "none" : Integer.toString(value);
        }
        return value < 0 ? Errno.name(value) : Integer.toString(value);
    }

    private static String run(Value program, int op, int outer, int outerKey, int innerKey, long flags, long value) {
        return result(op, program.execute((Object) command(op, outer, outerKey, innerKey, flags, value)).asLong());
    }

    /** A host call's outcome: "ok", or the errno its one-line error names. */
    private static String host(Supplier<Object> call) {
        try {
            call.get();
            return "ok";
        } catch (PolyglotException e) {
            String message = e.getMessage();
            assertEquals(1, message.lines().count(), message);
            for (String errno : List.of("EINVAL", "E2BIG", "ENOENT", "EEXIST")) {
                if (message.contains(": " + errno)) {
                    return errno;
                }
            }
            return message;
        }
    }

    /** Recorded with the kernel engine on Linux 6.18. */
    private static final List<String> KERNEL_RESULTS = List.of(
                    // Program side: the initial slots by_index[0] = inner_a, by_index[2] = by_hash[1] = inner_b.
                    "none", "0", "11", "no inner map", "0", "55", "no inner map", "no inner map", "EEXIST", "0", "none", "ENOENT",
                    // Host side: set by_index[1], then the program writes through it into inner_spare.
                    "ok", "0", "33",
                    // The kernel's compatibility check and flags: a hash of other max_entries fits a hash template.
                    "ok", "EINVAL", "E2BIG", "ENOENT", "E2BIG", "EINVAL",
                    "ENOENT", "ok", "EEXIST", "E2BIG", "ENOENT", "ok", "ok",
                    // Emptied by the host: the program finds no inner map.
                    "ok", "no inner map", "1", "77");

    @Test
    void innerMapsLookedUpFromArrayAndHashOfMapsWorkWithTheMapHelpersAndHostUpdatesGiveTheKernelsErrnos() {
        Map<String, List<String>> all = new LinkedHashMap<>();
        for (String engine : engines()) {
            List<String> results = new ArrayList<>();
            try (Context context = Context.newBuilder("bpf").option("bpf.Engine", engine).build()) {
                Value module = context.eval(object("map_in_map.o"));
                Value program = module.getMember("map_in_map");
                Value byIndex = module.getMember("by_index");
                Value byHash = module.getMember("by_hash");
                Value innerA = module.getMember("inner_a");
                Value innerSpare = module.getMember("inner_spare");
                results.add(run(program, LOOKUP, BY_INDEX, 0, 1, 0, 0));
                results.add(run(program, UPDATE, BY_INDEX, 0, 1, ANY, 11));
                results.add(run(program, LOOKUP, BY_INDEX, 0, 1, 0, 0));
                results.add(run(program, LOOKUP, BY_INDEX, 1, 1, 0, 0));
                results.add(run(program, UPDATE, BY_INDEX, 2, 5, ANY, 55));
                results.add(run(program, LOOKUP, BY_HASH, 1, 5, 0, 0));
                results.add(run(program, LOOKUP, BY_HASH, 0, 5, 0, 0));
                results.add(run(program, LOOKUP, BY_INDEX, 9, 5, 0, 0));
                results.add(run(program, UPDATE, BY_HASH, 1, 5, NOEXIST, 56));
                results.add(run(program, DELETE, BY_INDEX, 2, 5, 0, 0));
                results.add(run(program, LOOKUP, BY_HASH, 1, 5, 0, 0));
                results.add(run(program, DELETE, BY_HASH, 1, 5, 0, 0));

                results.add(host(() -> {
                    byIndex.setArrayElement(1, innerSpare);
                    return null;
                }));
                results.add(run(program, UPDATE, BY_INDEX, 1, 3, ANY, 33));
                results.add(Long.toString(innerSpare.getHashValue(3).asLong()));

                results.add(host(() -> byIndex.invokeMember("update", 1, module.getMember("inner_bigger"))));
                results.add(host(() -> byIndex.invokeMember("update", 1, innerA, NOEXIST)));
                results.add(host(() -> byIndex.invokeMember("update", 4, innerA)));
                results.add(host(() -> byIndex.invokeMember("delete", 3)));
                results.add(host(() -> byIndex.invokeMember("delete", 4)));
                results.add(host(() -> byIndex.invokeMember("update", 0, byHash)));
                results.add(host(() -> byHash.invokeMember("update", 2, innerA, EXIST)));
                results.add(host(() -> byHash.invokeMember("update", 2, innerA, NOEXIST)));
                results.add(host(() -> byHash.invokeMember("update", 2, innerA, NOEXIST)));
                results.add(host(() -> byHash.invokeMember("update", 3, innerA, ANY)));
                results.add(host(() -> byHash.invokeMember("delete", 9)));
                results.add(host(() -> byHash.invokeMember("update", 2, innerSpare, EXIST)));
                results.add(host(() -> byHash.invokeMember("delete", 1)));

                results.add(host(() -> byIndex.removeArrayElement(0)));
                results.add(run(program, LOOKUP, BY_INDEX, 0, 1, 0, 0));
                results.add(Long.toString(byHash.getHashSize()));
                results.add(run(program, UPDATE, BY_HASH, 2, 7, ANY, 77).equals("0") ? Long.toString(innerSpare.getHashValue(7).asLong()) : "update failed");
            }
            all.put(engine, results);
        }
        for (String engine : engines()) {
            assertEquals(KERNEL_RESULTS, all.get(engine), engine + " " + all);
        }
    }
}
