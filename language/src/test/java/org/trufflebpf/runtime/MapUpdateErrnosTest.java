package org.trufflebpf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.Errno;
import org.trufflebpf.runtime.maps.MapOfMaps;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * Host updates and deletes of redirect targets and maps of maps answer as Linux 6.18 answered the same
 * BPF_MAP_UPDATE_ELEM/DELETE_ELEM sequence on maps created alike (libbpf's bpf_map_create, 2 possible CPUs).
 */
class MapUpdateErrnosTest {
    private static byte[] u32(long v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static String name(long result) {
        return result == 0 ? "ok" : Errno.name(result);
    }

    @Test
    void redirectTargetUpdatesAndDeletesGiveTheKernelsErrnos() {
        MapDefinition devmap = MapDefinition.of("dev", MapType.DEVMAP, 4, 4, 4);
        MapDefinition devmapHash = MapDefinition.of("devh", MapType.DEVMAP_HASH, 4, 4, 4);
        MapDefinition cpumap = MapDefinition.of("cpu", MapType.CPUMAP, 4, 4, 4);
        MapDefinition xskmap = MapDefinition.of("xsk", MapType.XSKMAP, 4, 4, 4);
        MapSet set = MapSet.create(List.of(devmap, devmapHash, cpumap, xskmap), 2, "t");
        try {
            BpfMap dev = set.get(0);
            BpfMap devh = set.get(1);
            BpfMap cpu = set.get(2);
            BpfMap xsk = set.get(3);
            List<String> results = new ArrayList<>();
            results.add(name(dev.put(u32(0), u32(1), BpfMap.BPF_ANY)));
            results.add(name(dev.put(u32(1), u32(1), BpfMap.BPF_NOEXIST)));
            results.add(name(dev.put(u32(1), u32(1), BpfMap.BPF_EXIST)));
            results.add(name(dev.put(u32(1), u32(1), 3)));
            results.add(name(dev.put(u32(4), u32(1), BpfMap.BPF_ANY)));
            results.add(name(dev.put(u32(0), u32(0), BpfMap.BPF_ANY)));
            results.add(dev.get(u32(0)) == null ? "ENOENT" : "found");
            results.add(name(dev.delete(u32(3))));
            results.add(name(dev.delete(u32(4))));
            results.add(name(devh.put(u32(7), u32(1), BpfMap.BPF_NOEXIST)));
            results.add(name(devh.put(u32(7), u32(1), BpfMap.BPF_NOEXIST)));
            results.add(name(devh.put(u32(8), u32(1), BpfMap.BPF_EXIST)));
            results.add(name(devh.put(u32(8), u32(0), BpfMap.BPF_ANY)));
            results.add(name(devh.delete(u32(9))));
            for (int i = 10; i < 14; i++) {
                devh.put(u32(i), u32(1), BpfMap.BPF_ANY);
            }
            results.add(name(devh.put(u32(20), u32(1), BpfMap.BPF_ANY)));
            results.add(name(cpu.put(u32(0), u32(64), BpfMap.BPF_ANY)));
            results.add(name(cpu.put(u32(1), u32(64), BpfMap.BPF_NOEXIST)));
            results.add(name(cpu.put(u32(1), u32(0), BpfMap.BPF_ANY)));
            results.add(cpu.get(u32(1)) == null ? "ENOENT" : "found");
            results.add(name(cpu.put(u32(4), u32(64), BpfMap.BPF_ANY)));
            results.add(name(cpu.put(u32(0), u32(100000), BpfMap.BPF_ANY)));
            results.add(name(cpu.put(u32(2), u32(64), BpfMap.BPF_ANY)));
            results.add(name(cpu.delete(u32(2))));
            results.add(name(cpu.delete(u32(9))));
            results.add(name(xsk.delete(u32(0))));
            assertEquals(List.of("ok", "EEXIST", "ok", "EINVAL", "E2BIG", "ok", "ENOENT", "ok", "EINVAL", "ok", "EEXIST", "ok", "EINVAL", "ENOENT", "E2BIG",
                            "ok", "EEXIST", "ok", "ENOENT", "E2BIG", "EOVERFLOW", "ENODEV", "ok", "EINVAL", "ok"), results);
        } finally {
            set.close();
        }
    }

    @Test
    void innerArraysMatchTheTemplatesMaxEntriesUnlessItHasBpfFInnerMapAndFlagsMustBeEqual() {
        MapDefinition plain = MapDefinition.of("arr", MapType.ARRAY, 4, 8, 4);
        MapDefinition flexible = new MapDefinition("arri", MapType.ARRAY, 4, 8, 4, MapDefinition.BPF_F_INNER_MAP, null, java.util.Map.of(), false);
        MapDefinition eight = MapDefinition.of("arr8", MapType.ARRAY, 4, 8, 8);
        MapDefinition eightFlexible = new MapDefinition("arr8i", MapType.ARRAY, 4, 8, 8, MapDefinition.BPF_F_INNER_MAP, null, java.util.Map.of(), false);
        MapSet set = MapSet.create(List.of(MapDefinition.ofMaps("strict", MapType.ARRAY_OF_MAPS, 4, 4, 0, plain),
                        MapDefinition.ofMaps("loose", MapType.ARRAY_OF_MAPS, 4, 4, 0, flexible), eight, eightFlexible), 1, "t");
        try {
            MapOfMaps strict = (MapOfMaps) set.get(0);
            MapOfMaps loose = (MapOfMaps) set.get(1);
            assertEquals("EINVAL", name(strict.setInner(u32(0), set.get(2), BpfMap.BPF_ANY)));
            assertEquals("EINVAL", name(loose.setInner(u32(0), set.get(2), BpfMap.BPF_ANY)));
            assertEquals("ok", name(loose.setInner(u32(0), set.get(3), BpfMap.BPF_ANY)));
            assertEquals("ok", name(loose.clearInner(u32(0))));
            assertEquals("ENOENT", name(loose.clearInner(u32(0))));
        } finally {
            set.close();
        }
    }
}
