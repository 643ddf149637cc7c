package org.trufflebpf.truffle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.trufflebpf.elf.BtfTypes;
import org.trufflebpf.elf.BtfValueText;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.ObjectBtf;
import org.trufflebpf.runtime.NativeMemory;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.CgroupArray;
import org.trufflebpf.runtime.maps.CorruptedRingBufferException;
import org.trufflebpf.runtime.maps.LoadedProgram;
import org.trufflebpf.runtime.maps.MapOfMaps;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;
import org.trufflebpf.runtime.maps.PerfEventArray;
import org.trufflebpf.runtime.maps.RingBuffer;

/**
 * The maps of a module as text ({@code bpf run --maps}): keys and values decoded with the object's BTF where it
 * describes them (global data as its variables by name, structs by field), hex or numbers otherwise. Array
 * slots holding only zeros and empty prog-array slots are left out unless {@code all} is asked for; hash entries
 * are all shown, since each one is there. Ring buffers print the records still to be read, and reading them
 * consumes them.
 */
final class MapDump {
    private final MapSet maps;
    private final BtfTypes btf;
    private final ObjectBtf objectBtf;

    /** {@code objectBtf} is null for an object without BTF, and so is a BTF section that does not parse. */
    MapDump(MapSet maps, ObjectBtf objectBtf) {
        this.maps = maps;
        this.objectBtf = objectBtf;
        this.btf = parse(objectBtf);
    }

    private static BtfTypes parse(ObjectBtf objectBtf) {
        if (objectBtf == null) {
            return null;
        }
        try {
            return BtfTypes.parse(objectBtf.data(), "BTF");
        } catch (BpfError unreadable) {
            // The object loaded without using this BTF (our engines take sizes from the map definitions): show raw values.
            return null;
        }
    }

    String text(boolean all) {
        StringBuilder out = new StringBuilder();
        List<BpfMap> list = maps.all();
        for (int index = 0; index < list.size(); index++) {
            BpfMap map = list.get(index);
            ObjectBtf.MapTypes types = objectBtf == null ? ObjectBtf.MapTypes.NONE : objectBtf.typesOf(index);
            if (map instanceof RingBuffer ring) {
                ringBuffer(ring, out);
            } else if (map instanceof PerfEventArray events) {
                perfEvents(events, out);
            } else if (map instanceof ProgArray array) {
                progArray(array, all, out);
            } else if (map.definition().isGlobalData()) {
                globalData(map, types, out);
            } else if (isArray(map.definition().type())) {
                array(map, types, all, out);
            } else {
                hash(map, types, out);
            }
        }
        return out.toString();
    }

    /**
     * The maps as records for {@code --json}: each with {@code name}, {@code type} and {@code entries} (each a
     * {@code key} and a {@code value}, as the text shows them: decoded with BTF where it describes them); global
     * data has its variables as entries; ring buffers and perf event arrays have {@code records} instead (hex, and
     * for perf each record's {@code cpu}; reading consumes them, as {@link #text} does).
     */
    InteropArray records(boolean all) {
        List<BpfMap> list = maps.all();
        Object[] records = new Object[list.size()];
        for (int index = 0; index < list.size(); index++) {
            BpfMap map = list.get(index);
            ObjectBtf.MapTypes types = objectBtf == null ? ObjectBtf.MapTypes.NONE : objectBtf.typesOf(index);
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("name", map.name());
            record.put("type", map.definition().isGlobalData() ? "global_data" : typeName(map.definition().type()));
            List<Object> entries = new ArrayList<>();
            if (map instanceof RingBuffer ring) {
                try {
                    ring.consume(bytes -> entries.add(BtfValueText.hex(bytes, 0, bytes.length)));
                } catch (CorruptedRingBufferException e) {
                    throw new BpfError(BpfError.Kind.RUNTIME, null, e.getMessage());
                }
                record.put("records", new InteropArray(entries.toArray()));
            } else if (map instanceof PerfEventArray events) {
                for (PerfEventArray.Record one : events.consume()) {
                    entries.add(new InteropRecord(Map.of("cpu", (long) one.cpu(), "data", BtfValueText.hex(one.data(), 0, one.data().length))));
                }
                record.put("records", new InteropArray(entries.toArray()));
                record.put("lost", events.lost());
            } else {
                record.put("max_entries", Integer.toUnsignedLong(map.maxEntries()));
                if (map instanceof ProgArray array) {
                    for (int i = 0; i < array.maxEntries(); i++) {
                        LoadedProgram program = array.get(i);
                        if (program != null || all) {
                            entries.add(entry(Integer.toString(i), program == null ? null : program.name()));
                        }
                    }
                } else if (map.definition().isGlobalData()) {
                    globalDataEntries(map, types, entries);
                } else if (isArray(map.definition().type())) {
                    for (int i = 0; i < map.maxEntries(); i++) {
                        byte[] value = map.get(BpfMap.keyOf(i));
                        if (value != null && (all || !isZero(value))) {
                            entries.add(entry(Integer.toUnsignedString(i), value(map, types.value(), value)));
                        }
                    }
                } else if (map instanceof CgroupArray cgroups) {
                    for (byte[] key : map.keys()) {
                        entries.add(entry(key(key, types.key()), cgroups.cgroup(NativeMemory.readLittleEndian(key))));
                    }
                } else {
                    for (byte[] key : map.keys()) {
                        byte[] value = map.get(key);
                        if (value != null) {
                            entries.add(entry(key(key, types.key()), value(map, types.value(), value)));
                        }
                    }
                }
                record.put("entries", new InteropArray(entries.toArray()));
            }
            records[index] = new InteropRecord(record);
        }
        return new InteropArray(records);
    }

    private static InteropRecord entry(String key, String value) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("key", key);
        entry.put("value", value);
        return new InteropRecord(entry);
    }

    /** Global data's variables by name, or one entry without a key (its bytes in hex) when BTF does not name them. */
    private void globalDataEntries(BpfMap map, ObjectBtf.MapTypes types, List<Object> entries) {
        byte[] value = map.get(BpfMap.keyOf(0));
        int datasec = btf == null || value == null ? 0 : usable(types.value(), value.length);
        if (datasec == 0 || btf.kind(datasec) != BtfTypes.Kind.DATASEC || btf.vlen(datasec) == 0) {
            entries.add(entry(null, value == null ? null : BtfValueText.hex(value, 0, value.length)));
            return;
        }
        for (BtfTypes.DatasecEntry variable : btf.datasecEntries(datasec)) {
            boolean isVar = btf.kind(variable.type()) == BtfTypes.Kind.VAR;
            long size = isVar ? Math.max(variable.size(), sizeOrZero(variable.type())) : 0;
            boolean fits = isVar && variable.offset() + size <= value.length;
            entries.add(entry(isVar ? btf.name(variable.type()) : "?", fits ? BtfValueText.format(btf, variable.type(), value, (int) variable.offset()) : null));
        }
    }

    private static boolean isArray(MapType type) {
        return type == MapType.ARRAY || type == MapType.PERCPU_ARRAY;
    }

    private static String typeName(MapType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    private void globalData(BpfMap map, ObjectBtf.MapTypes types, StringBuilder out) {
        byte[] value = map.get(BpfMap.keyOf(0));
        out.append("map ").append(map.name()).append(" (global data):\n");
        int datasec = btf == null || value == null ? 0 : usable(types.value(), value.length);
        if (datasec == 0 || btf.kind(datasec) != BtfTypes.Kind.DATASEC || btf.vlen(datasec) == 0) {
            out.append("  ").append(value == null ? "(empty)" : BtfValueText.hex(value, 0, value.length)).append('\n');
            return;
        }
        for (BtfTypes.DatasecEntry variable : btf.datasecEntries(datasec)) {
            String name = btf.kind(variable.type()) == BtfTypes.Kind.VAR ? btf.name(variable.type()) : "?";
            out.append("  ").append(name).append(" = ");
            if (btf.kind(variable.type()) != BtfTypes.Kind.VAR) {
                out.append("?\n");
                continue;
            }
            long size = Math.max(variable.size(), sizeOrZero(variable.type()));
            if (variable.offset() + size > value.length) {
                // clang may shrink a static variable it only partly uses and leave its BTF type as declared.
                out.append("? (BTF places ").append(size).append(" bytes at offset ").append(variable.offset()).append(", past the section's ")
                                .append(value.length).append(")\n");
                continue;
            }
            out.append(BtfValueText.format(btf, variable.type(), value, (int) variable.offset())).append('\n');
        }
    }

    private void array(BpfMap map, ObjectBtf.MapTypes types, boolean all, StringBuilder out) {
        MapDefinition definition = map.definition();
        StringBuilder slots = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < map.maxEntries(); i++) {
            byte[] value = map.get(BpfMap.keyOf(i));
            if (value == null || (!all && isZero(value))) {
                continue;
            }
            shown++;
            slots.append("  [").append(Integer.toUnsignedString(i)).append("] = ").append(value(map, types.value(), value)).append('\n');
        }
        out.append("map ").append(map.name()).append(" (").append(typeName(definition.type())).append(", ").append(slots(map.maxEntries()));
        if (!all) {
            out.append("; ").append(shown).append(shown == 1 ? " is" : " are").append(" not zero; --all shows every slot");
        }
        out.append("):\n").append(slots);
    }

    private void hash(BpfMap map, ObjectBtf.MapTypes types, StringBuilder out) {
        List<byte[]> keys = map.keys();
        StringBuilder entries = new StringBuilder();
        int count = 0;
        for (byte[] key : keys) {
            byte[] value = map.get(key);
            String path = map instanceof CgroupArray cgroups ? cgroups.cgroup(NativeMemory.readLittleEndian(key)) : null;
            if (value == null && path == null) {
                continue;
            }
            count++;
            // An inner map by its name: its id is this process's own number, which no other engine shares.
            String text = path != null ? "cgroup " + path
                            : map instanceof MapOfMaps outer && outer.inner(key) != null ? "map " + outer.inner(key).name() : value(map, types.value(), value);
            entries.append("  ").append(key(key, types.key())).append(" => ").append(text).append('\n');
        }
        out.append("map ").append(map.name()).append(" (").append(typeName(map.definition().type())).append(", ").append(count)
                        .append(count == 1 ? " entry" : " entries").append("):\n").append(entries);
    }

    private void progArray(ProgArray array, boolean all, StringBuilder out) {
        StringBuilder slots = new StringBuilder();
        int set = 0;
        for (int i = 0; i < array.maxEntries(); i++) {
            LoadedProgram program = array.get(i);
            if (program == null && !all) {
                continue;
            }
            set += program == null ? 0 : 1;
            slots.append("  [").append(i).append("] = ").append(program == null ? "(empty)" : "program " + program.name()).append('\n');
        }
        out.append("prog array ").append(array.name()).append(" (").append(slots(array.maxEntries()));
        if (!all) {
            out.append("; ").append(set).append(" set; --all shows every slot");
        }
        out.append("):\n").append(slots);
    }

    private static void ringBuffer(RingBuffer ring, StringBuilder out) {
        StringBuilder records = new StringBuilder();
        int count;
        try {
            count = ring.consume(record -> records.append("  ").append(BtfValueText.hex(record, 0, record.length)).append('\n'));
        } catch (CorruptedRingBufferException e) {
            throw new BpfError(BpfError.Kind.RUNTIME, null, e.getMessage());
        }
        out.append("ring buffer ").append(ring.name()).append(": ").append(count).append(count == 1 ? " record" : " records").append('\n').append(records);
    }

    /** Consumes a perf event array's records: each with its CPU, in hex (as padded by the kernel). */
    private static void perfEvents(PerfEventArray events, StringBuilder out) {
        List<PerfEventArray.Record> records = events.consume();
        out.append("perf event array ").append(events.name()).append(": ").append(records.size()).append(records.size() == 1 ? " record" : " records");
        long lost = events.lost();
        out.append(lost == 0 ? "" : ", " + lost + " lost").append('\n');
        for (PerfEventArray.Record record : records) {
            out.append("  cpu ").append(record.cpu()).append(": ").append(BtfValueText.hex(record.data(), 0, record.data().length)).append('\n');
        }
    }

    /** A key as its BTF type gives it, else as a number (1, 2, 4 or 8 bytes) or hex. */
    private String key(byte[] key, int type) {
        int usable = btf == null ? 0 : usable(type, key.length);
        return usable != 0 ? BtfValueText.format(btf, usable, key, 0) : plain(key);
    }

    /** A value by its BTF type; a per-CPU value is every CPU's, each padded to 8 bytes, as a list. */
    private String value(BpfMap map, int type, byte[] value) {
        if (map.definition().type() == MapType.STACK_TRACE) {
            return stack(value);
        }
        boolean perCpu = map.definition().type() == MapType.PERCPU_ARRAY || map.definition().type() == MapType.PERCPU_HASH;
        if (!perCpu) {
            int usable = btf == null ? 0 : usable(type, value.length);
            return usable != 0 ? BtfValueText.format(btf, usable, value, 0) : plain(value);
        }
        int stride = (map.valueSize() + 7) & ~7;
        StringBuilder text = new StringBuilder("per CPU [");
        for (int cpu = 0; cpu * stride < value.length; cpu++) {
            byte[] one = Arrays.copyOfRange(value, cpu * stride, cpu * stride + map.valueSize());
            int usable = btf == null ? 0 : usable(type, one.length);
            text.append(cpu == 0 ? "" : ", ").append(usable != 0 ? BtfValueText.format(btf, usable, one, 0) : plain(one));
        }
        return text.append(']').toString();
    }

    /** A stored stack as its ips, innermost first, without the zeros after it: {@code ips [19, 7, 3]}. */
    private static String stack(byte[] value) {
        List<String> ips = new ArrayList<>();
        for (int at = 0; at + 8 <= value.length; at += 8) {
            long ip = NativeMemory.readLittleEndian(Arrays.copyOfRange(value, at, at + 8));
            if (ip == 0 && isZero(Arrays.copyOfRange(value, at, value.length))) {
                break;
            }
            ips.add(Long.toUnsignedString(ip));
        }
        return "ips " + ips;
    }

    /** The type id when the BTF has it and its size is the bytes' size (else the BTF does not describe them), or 0. */
    private int usable(int type, int length) {
        if (type == 0) {
            return 0;
        }
        try {
            return btf.sizeOf(type) == length ? type : 0;
        } catch (BpfError unresolved) {
            return 0;
        }
    }

    private long sizeOrZero(int type) {
        try {
            return btf.sizeOf(type);
        } catch (BpfError unresolved) {
            return 0;
        }
    }

    /** Bytes without a type: a number when they are as long as one, as the interop view gives them, else hex. */
    static String plain(byte[] bytes) {
        return switch (bytes.length) {
            case 1, 2, 4, 8 -> {
                long n = 0;
                for (int i = bytes.length - 1; i >= 0; i--) {
                    n = (n << 8) | (bytes[i] & 0xff);
                }
                yield String.format(Locale.ROOT, "%d (0x%x)", n, n);
            }
            default -> BtfValueText.hex(bytes, 0, bytes.length);
        };
    }

    private static String slots(int count) {
        return count == 1 ? "1 slot" : Integer.toUnsignedString(count) + " slots";
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
