package org.trufflebpf.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HostValueScanTest {
    /** An address inside libjvm's mapping: what a leaked return address into the JVM looks like. */
    private static long jvmAddress() {
        HostValueScan.Mapping jvm = HostValueScan.readMappings().stream().filter(m -> m.name().endsWith("libjvm.so")).findFirst().orElseThrow();
        return jvm.start() + (jvm.end() - jvm.start()) / 2;
    }

    private static Outcome outcome(Long r0, byte[] memory, Map<String, List<String>> maps, String output) {
        return new Outcome(r0, null, null, memory, maps, output, 1);
    }

    private static byte[] words(long... values) {
        ByteBuffer buffer = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buffer.putLong(v);
        }
        return buffer.array();
    }

    @Test
    void aJvmAddressInR0IsALeak() {
        long address = jvmAddress();
        List<String> leaks = new HostValueScan().leaks(outcome(address, null, Map.of(), ""), null, List.of());
        assertEquals(1, leaks.size(), leaks::toString);
        assertTrue(leaks.get(0).startsWith("r0=0x" + Long.toHexString(address) + " (") && leaks.get(0).contains("libjvm.so"), leaks::toString);
    }

    @Test
    void anAddressInsideARegionTheRunOwnsIsNoLeak() {
        long address = jvmAddress();
        assertEquals(List.of(), new HostValueScan().leaks(outcome(address, null, Map.of(), ""), null, List.of(new long[] {address - 8, address + 8})));
    }

    @Test
    void onlyInputWordsTheRunChangedAreScanned() {
        long address = jvmAddress();
        byte[] input = words(address, 5);
        byte[] after = words(address, address);
        assertEquals(List.of("memory[8]"), new HostValueScan().leaks(outcome(0L, after, Map.of(), ""), input, List.of()).stream()
                        .map(l -> l.substring(0, l.indexOf('='))).toList());
    }

    @Test
    void mapNumbersMapBytesAndPrintedHexAreScanned() {
        long address = jvmAddress();
        Map<String, List<String>> maps = new LinkedHashMap<>();
        maps.put("arr", List.of("0", Long.toString(address)));
        maps.put("rb", List.of(HexFormat.of().formatHex(words(7, address))));
        List<String> leaks = new HostValueScan().leaks(outcome(0L, null, maps, "x " + Long.toHexString(address) + "\n"), null, List.of());
        assertEquals(List.of("map arr", "map rb", "output"), leaks.stream().map(l -> l.substring(0, l.indexOf('='))).toList());
    }

    @Test
    void everydayNumbersAreNoAddresses() {
        HostValueScan scan = new HostValueScan();
        for (long value : new long[] {0, 1, -1, 0x7fffffff, 0xffffffffL, 0x80000000L, 0x692562286L, Long.MIN_VALUE, Long.MAX_VALUE, 0x0123456789abcdefL}) {
            assertEquals(List.of(), scan.leaks(outcome(value, null, Map.of(), Long.toString(value)), null, List.of()), () -> Long.toHexString(value));
        }
    }
}
