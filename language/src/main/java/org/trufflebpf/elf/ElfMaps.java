package org.trufflebpf.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.trufflebpf.elf.ElfFile.Relocation;
import org.trufflebpf.elf.ElfFile.Section;
import org.trufflebpf.elf.ElfFile.Symbol;
import org.trufflebpf.model.LinuxMapTypes;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.ObjectBtf;

/**
 * The maps an object declares, in the order lddw map references number them: legacy {@code SEC("maps")}
 * definitions ({@code struct bpf_map_def}), then BTF-defined maps of {@code SEC(".maps")}, then one single-entry
 * array per non-empty global data section ({@code .data*}, {@code .rodata*}, {@code .bss*}), as libbpf makes them.
 */
final class ElfMaps {
    static final String LEGACY_SECTION = "maps";
    static final String BTF_SECTION = ".maps";
    /** {@code struct bpf_map_def} up to {@code map_flags}: type, key_size, value_size, max_entries, map_flags. */
    static final int LEGACY_DEF_SIZE = 20;
    static final int LEGACY_MIN_DEF_SIZE = 16;

    /** Where a map's definition lies: its section and byte range (for global data, the whole section). */
    record Placement(int mapIndex, int sectionIndex, long offset, long size) {
    }

    private final ElfFile elf;
    private final BtfTypes btf;
    private final List<MapDefinition> maps = new ArrayList<>();
    private final List<Placement> placements = new ArrayList<>();
    /** By map index: the BTF key and value types the object declares, for the kernel engine. */
    private final List<ObjectBtf.MapTypes> btfTypes = new ArrayList<>();
    /** Global data section index → map index. */
    private final Map<Integer, Integer> globalData = new HashMap<>();
    /** Map index → (slot → symbol index) for prog arrays initialised in the object. */
    private final Map<Integer, Map<Integer, Integer>> initialSlots = new HashMap<>();
    /** Map index → (slot → map name) for maps of maps initialised in the object. */
    private final Map<Integer, Map<Integer, String>> initialMaps = new HashMap<>();
    /** Maps of a type we cannot create: only the programs that use them are refused, naming the type. */
    private final List<Unsupported> unsupported = new ArrayList<>();

    /** A map definition of an unsupported type, where it lies and why it cannot be created. */
    private record Unsupported(int sectionIndex, long offset, long size, String reason) {
    }

    private ElfMaps(ElfFile elf, BtfTypes btf) {
        this.elf = elf;
        this.btf = btf;
    }

    /** Reads every map of the object; {@code btf} may be null when the object has no {@code .BTF}. */
    static ElfMaps read(ElfFile elf, BtfTypes btf) {
        ElfMaps result = new ElfMaps(elf, btf);
        Section legacy = elf.section(LEGACY_SECTION);
        if (legacy != null) {
            result.readLegacyMaps(legacy);
        }
        Section btfMaps = elf.section(BTF_SECTION);
        if (btfMaps != null) {
            result.readBtfMaps(btfMaps);
        }
        for (Section section : elf.sections()) {
            if (isGlobalDataSection(section)) {
                result.addGlobalData(section);
            }
        }
        return result;
    }

    static boolean isGlobalDataSection(Section section) {
        if (section.type() != ElfFile.SHT_PROGBITS && section.type() != ElfFile.SHT_NOBITS) {
            return false;
        }
        String name = section.name();
        for (String prefix : new String[]{".data", ".rodata", ".bss"}) {
            if (name.equals(prefix) || name.startsWith(prefix + ".")) {
                return true;
            }
        }
        return false;
    }

    List<MapDefinition> maps() {
        return maps;
    }

    /** By map index: the BTF types of each map's key and value ({@link ObjectBtf.MapTypes#NONE} where none is declared). */
    List<ObjectBtf.MapTypes> btfTypes() {
        return btfTypes;
    }

    /** Map index → (slot → symbol) of the program references a prog array holds initially. */
    Map<Integer, Map<Integer, Integer>> initialSlots() {
        return initialSlots;
    }

    /** The named variables of the global data sections, in symbol table order. */
    List<GlobalVariable> globalVariables() {
        List<GlobalVariable> result = new ArrayList<>();
        for (Symbol symbol : elf.symbols()) {
            if (symbol.type() != ElfFile.STT_OBJECT || !symbol.isDefinedInSection()) {
                continue;
            }
            Integer index = globalData.get(symbol.sectionIndex());
            Section section = elf.section(symbol.sectionIndex());
            if (index == null || symbol.value() < 0 || symbol.size() <= 0 || symbol.value() > section.size()
                            || symbol.size() > section.size() - symbol.value()) {
                continue;
            }
            result.add(new GlobalVariable(symbol.name(), index, section.name(), (int) symbol.value(), (int) symbol.size()));
        }
        return result;
    }

    /** The map whose definition starts at this offset of this section, or -1. */
    int mapDefinedAt(int sectionIndex, long offset) {
        for (Placement placement : placements) {
            if (placement.sectionIndex() == sectionIndex && placement.offset() == offset && !globalData.containsKey(sectionIndex)) {
                return placement.mapIndex();
            }
        }
        return -1;
    }

    /** Why the map defined at this offset of this section cannot be created, or null when none is refused there. */
    String unsupportedAt(int sectionIndex, long offset) {
        for (Unsupported map : unsupported) {
            if (map.sectionIndex() == sectionIndex && map.offset() == offset) {
                return map.reason();
            }
        }
        return null;
    }

    /** The global-data map of a section, or -1 when the section is not (non-empty) global data. */
    int globalDataMap(int sectionIndex) {
        return globalData.getOrDefault(sectionIndex, -1);
    }

    boolean isMapSection(int sectionIndex) {
        String name = elf.section(sectionIndex).name();
        return name.equals(LEGACY_SECTION) || name.equals(BTF_SECTION);
    }

    private void readLegacyMaps(Section section) {
        List<Symbol> symbols = new ArrayList<>();
        for (Symbol symbol : elf.symbols()) {
            if (symbol.sectionIndex() == section.index() && !symbol.isSection() && symbol.type() != ElfFile.STT_FILE) {
                symbols.add(symbol);
            }
        }
        if (symbols.isEmpty()) {
            return;
        }
        symbols.sort(Comparator.comparingLong(Symbol::value));
        // As libbpf: every definition has the same size, the section's size divided by the number of maps.
        if (section.size() % symbols.size() != 0) {
            throw elf.error("section 'maps' is " + section.size() + " bytes, not a multiple of its " + symbols.size() + " map definitions");
        }
        long definitionSize = section.size() / symbols.size();
        if (definitionSize < LEGACY_MIN_DEF_SIZE) {
            throw elf.error("map definitions in section 'maps' are " + definitionSize + " bytes, fewer than the " + LEGACY_MIN_DEF_SIZE
                            + " of type, key_size, value_size and max_entries");
        }
        ByteBuffer contents = ByteBuffer.wrap(elf.contents(section)).order(ByteOrder.LITTLE_ENDIAN);
        for (Symbol symbol : symbols) {
            long offset = symbol.value();
            if (offset < 0 || offset % definitionSize != 0 || offset > section.size() - definitionSize) {
                throw elf.error("legacy map '" + symbol.name() + "' at offset " + Long.toUnsignedString(offset) + " does not start a "
                                + definitionSize + "-byte definition in section 'maps'");
            }
            int base = (int) offset;
            int typeId = contents.getInt(base);
            int keySize = contents.getInt(base + 4);
            int valueSize = contents.getInt(base + 8);
            int maxEntries = contents.getInt(base + 12);
            int flags = definitionSize >= LEGACY_DEF_SIZE ? contents.getInt(base + 16) : 0;
            MapType type = MapType.byLinuxId(typeId);
            if (type == null) {
                refuse(symbol.name(), typeId, section.index(), offset, definitionSize);
                continue;
            }
            add(withLoaderSizes(new MapDefinition(symbol.name(), type, keySize, valueSize, maxEntries, flags, null, Map.of(), false)),
                            ObjectBtf.MapTypes.NONE, section.index(), offset, definitionSize);
        }
    }

    private void readBtfMaps(Section section) {
        if (btf == null) {
            throw elf.error("section '.maps' needs BTF to describe its maps, but the object has no .BTF section");
        }
        int datasec = btf.findDatasec(BTF_SECTION);
        if (datasec == 0) {
            throw elf.error("the .BTF section has no DATASEC for '.maps'");
        }
        List<Relocation> relocations = elf.relocationsFor(section.index());
        List<Placement> btfPlacements = new ArrayList<>();
        Map<Integer, Long> valuesOffsets = new HashMap<>();
        Map<Long, String> starts = new HashMap<>();
        // Maps are numbered in the order of the DATASEC's variables, as libbpf numbers them.
        for (BtfTypes.DatasecEntry entry : btf.datasecEntries(datasec)) {
            if (btf.kind(entry.type()) != BtfTypes.Kind.VAR) {
                throw elf.error("'.maps' entry of BTF type " + entry.type() + " is not a variable");
            }
            String name = btf.name(entry.type());
            Symbol symbol = findSymbol(name, section.index());
            // The symbol's size covers initialised 'values', which the BTF struct declares as a flexible array.
            long size = symbol.size() > 0 ? symbol.size() : btf.sizeOf(entry.type());
            long offset = symbol.value();
            if (offset < 0 || offset > section.size() || size > section.size() - offset) {
                throw elf.error("map '" + name + "' (offset " + Long.toUnsignedString(offset) + ", " + size + " bytes) lies outside section '.maps'");
            }
            String previous = starts.put(offset, name);
            if (previous != null) {
                throw elf.error("maps '" + previous + "' and '" + name + "' both start at offset " + offset + " of section '.maps'");
            }
            BtfMap map = parseBtfMap(name, btf.skipModifiers(btf.referencedType(entry.type())), size);
            if (map.unsupportedType() >= 0) {
                refuse(name, map.unsupportedType(), section.index(), offset, size);
                continue;
            }
            int index = add(map.definition(), map.types(), section.index(), offset, map.size());
            btfPlacements.add(placements.get(index));
            if (map.valuesBitOffset() >= 0) {
                valuesOffsets.put(index, map.valuesBitOffset() / 8);
            }
        }
        for (Relocation relocation : relocations) {
            readInitialSlot(relocation, section.index(), btfPlacements, valuesOffsets);
        }
        for (Map.Entry<Integer, Map<Integer, String>> entry : initialMaps.entrySet()) {
            maps.set(entry.getKey(), maps.get(entry.getKey()).withInitialMaps(entry.getValue()));
        }
    }

    /** A relocation in {@code .maps} puts a program (by its symbol) into a slot of a prog array's values. */
    private void readInitialSlot(Relocation relocation, int sectionIndex, List<Placement> btfPlacements, Map<Integer, Long> valuesOffsets) {
        Symbol symbol = elf.symbol(relocation.symbolIndex());
        String where = "relocation in '.maps' at offset " + relocation.offset() + " (symbol '" + symbol.name() + "')";
        if (relocation.type() == ElfFile.R_BPF_NONE) {
            return;
        }
        for (Unsupported map : unsupported) {
            if (map.sectionIndex() == sectionIndex && relocation.offset() >= map.offset() && relocation.offset() < map.offset() + map.size()) {
                // An initial value of a map that is not created: the programs using the map are refused already.
                return;
            }
        }
        if (relocation.type() != ElfFile.R_BPF_64_ABS64) {
            throw elf.error(where + " has type " + relocation.type() + ", expected R_BPF_64_ABS64");
        }
        Placement owner = null;
        for (Placement placement : btfPlacements) {
            if (relocation.offset() >= placement.offset() && relocation.offset() < placement.offset() + placement.size()) {
                owner = placement;
            }
        }
        if (owner == null || !valuesOffsets.containsKey(owner.mapIndex())) {
            throw elf.error(where + " is not inside the 'values' array of a map");
        }
        MapDefinition map = maps.get(owner.mapIndex());
        if (map.type() != MapType.PROG_ARRAY && !map.type().isMapOfMaps()) {
            throw elf.error("map '" + map.name() + "': initial values are only supported for prog arrays and maps of maps");
        }
        long relative = relocation.offset() - owner.offset() - valuesOffsets.get(owner.mapIndex());
        if (relative < 0 || relative % 8 != 0) {
            throw elf.error(where + " does not point at a slot of the 'values' array of map '" + map.name() + "'");
        }
        long slot = relative / 8;
        if (slot >= map.maxEntries()) {
            throw elf.error("map '" + map.name() + "': initial value for slot " + slot + " is beyond max_entries " + map.maxEntries());
        }
        if (map.type().isMapOfMaps()) {
            // `.values = { [0] = &inner_a }`: a reference to another map of '.maps', by its symbol.
            if (symbol.sectionIndex() != sectionIndex || mapDefinedAt(sectionIndex, symbol.value()) < 0) {
                throw elf.error("map '" + map.name() + "': slot " + slot + " refers to '" + symbol.name() + "', which is not a map of '.maps'");
            }
            String innerName = maps.get(mapDefinedAt(sectionIndex, symbol.value())).name();
            initialMaps.computeIfAbsent(owner.mapIndex(), k -> new TreeMap<>()).put((int) slot, innerName);
            return;
        }
        if (!symbol.isFunction() || !symbol.isDefinedInSection() || !elf.section(symbol.sectionIndex()).isExecutable()) {
            throw elf.error("map '" + map.name() + "': slot " + slot + " refers to '" + symbol.name() + "', which is not a program");
        }
        initialSlots.computeIfAbsent(owner.mapIndex(), k -> new TreeMap<>()).put((int) slot, symbol.index());
    }

    /**
     * A BTF map definition: the definition, its key and value types, its size in {@code .maps}, and where its
     * values array starts; or, for a type we cannot create, only that type's Linux number ({@code unsupportedType}
     * is -1 otherwise).
     */
    private record BtfMap(MapDefinition definition, ObjectBtf.MapTypes types, long size, long valuesBitOffset, int unsupportedType) {
    }

    /** Reads the members of a map's struct type as libbpf's {@code __uint}, {@code __type} and {@code __array} write them. */
    private BtfMap parseBtfMap(String name, int structType, long size) {
        return parseBtfMap(name, structType, size, 0);
    }

    /** {@code nested}: 0 for a map of {@code .maps}, 1 for the inner template of a map of maps. */
    private BtfMap parseBtfMap(String name, int structType, long size, int nested) {
        if (btf.kind(structType) != BtfTypes.Kind.STRUCT) {
            throw elf.error("map '" + name + "': its BTF type is " + btf.kind(structType) + ", not a struct");
        }
        long type = -1;
        long keySize = -1;
        long valueSize = -1;
        long maxEntries = -1;
        long flags = 0;
        long valuesBitOffset = -1;
        int valuesElement = 0;
        int keyType = 0;
        int valueType = 0;
        for (BtfTypes.Member member : btf.members(structType)) {
            String field = member.name();
            switch (field) {
                case "type" -> type = uintValue(name, member);
                case "max_entries" -> maxEntries = uintValue(name, member);
                case "map_flags" -> flags = uintValue(name, member);
                case "numa_node", "pinning", "map_extra" -> uintValue(name, member);
                case "key_size" -> keySize = agree(name, "key", keySize, uintValue(name, member));
                case "value_size" -> valueSize = agree(name, "value", valueSize, uintValue(name, member));
                case "key" -> {
                    keyType = pointee(name, member);
                    keySize = agree(name, "key", keySize, sizeOf(name, member, keyType));
                }
                case "value" -> {
                    valueType = pointee(name, member);
                    valueSize = agree(name, "value", valueSize, sizeOf(name, member, valueType));
                }
                case "values" -> {
                    int array = btf.skipModifiers(member.type());
                    if (btf.kind(array) != BtfTypes.Kind.ARRAY) {
                        throw elf.error("map '" + name + "': field 'values' is not an array");
                    }
                    if (member.bitOffset() % 64 != 0) {
                        throw elf.error("map '" + name + "': field 'values' is not 8-byte aligned");
                    }
                    valuesBitOffset = member.bitOffset();
                    valuesElement = btf.skipModifiers(btf.array(array).elementType());
                    // The slots hold program (or map) references, which the kernel stores as 4-byte ids.
                    valueSize = agree(name, "value", valueSize, 4);
                }
                default -> throw elf.error("map '" + name + "': unknown field '" + field + "'");
            }
        }
        if (type < 0) {
            throw elf.error("map '" + name + "': no map type given");
        }
        MapType mapType = MapType.byLinuxId((int) type);
        if (mapType == null) {
            return new BtfMap(null, ObjectBtf.MapTypes.NONE, size, -1, (int) type);
        }
        if (mapType == MapType.RINGBUF) {
            // libbpf lets a ring buffer declare the type of its records (__type(value, ...)) and creates it
            // without key and value, as the kernel requires.
            keySize = keySize <= 0 ? 0 : keySize;
            valueSize = 0;
            valueType = 0;
        }
        MapDefinition inner = null;
        if (mapType.isMapOfMaps() && valuesElement != 0 && btf.kind(valuesElement) == BtfTypes.Kind.PTR && nested == 0) {
            // __array(values, struct inner): the elements point at the inner map's definition, the template
            // (named as libbpf names it). A template's own __array is not followed: one level only.
            int innerStruct = btf.skipModifiers(btf.referencedType(valuesElement));
            BtfMap template = parseBtfMap(name + ".inner", innerStruct, 0, nested + 1);
            if (template.unsupportedType() >= 0) {
                throw elf.error("map '" + name + "': inner maps of type " + LinuxMapTypes.describe(template.unsupportedType()) + " are not supported");
            }
            inner = template.definition();
        }
        MapDefinition definition = withLoaderSizes(new MapDefinition(name, mapType, (int) Math.max(keySize, -1), (int) Math.max(valueSize, -1),
                        (int) Math.max(maxEntries, 0), (int) flags, null, Map.of(), false, inner, Map.of()));
        return new BtfMap(definition, new ObjectBtf.MapTypes(keyType, valueType), size, valuesBitOffset, -1);
    }

    /**
     * The sizes libbpf fills in when a definition (legacy or BTF) leaves them out (negative: not given; 0 in
     * a legacy {@code struct bpf_map_def}): the only key and value size prog and perf event arrays allow, and
     * one perf event array slot per CPU.
     */
    private static MapDefinition withLoaderSizes(MapDefinition map) {
        int keySize = map.keySize();
        int valueSize = map.valueSize();
        int maxEntries = map.maxEntries();
        if (map.type() == MapType.PROG_ARRAY || map.type() == MapType.PERF_EVENT_ARRAY) {
            keySize = keySize <= 0 ? 4 : keySize;
            valueSize = valueSize <= 0 ? 4 : valueSize;
        }
        if (map.type() == MapType.PERF_EVENT_ARRAY && maxEntries <= 0) {
            maxEntries = Runtime.getRuntime().availableProcessors();
        }
        return new MapDefinition(map.name(), map.type(), Math.max(keySize, 0), Math.max(valueSize, 0), maxEntries, map.flags(), map.initialValue(),
                        map.initialPrograms(), map.readOnly(), map.inner(), map.initialMaps());
    }

    /** {@code __uint(name, N)} is a pointer to an array of N ints: N is the array's element count. */
    private long uintValue(String map, BtfTypes.Member member) {
        int pointer = btf.skipModifiers(member.type());
        if (btf.kind(pointer) == BtfTypes.Kind.PTR) {
            int array = btf.skipModifiers(btf.referencedType(pointer));
            if (btf.kind(array) == BtfTypes.Kind.ARRAY) {
                long value = btf.array(array).elements();
                if (value > Integer.MAX_VALUE) {
                    throw elf.error("map '" + map + "': " + member.name() + " = " + value + " is too large");
                }
                return value;
            }
        }
        throw elf.error("map '" + map + "': field '" + member.name() + "' is not declared with __uint (a pointer to an array)");
    }

    /** {@code __type(name, T)} is a pointer to T: returns T's type id. */
    private int pointee(String map, BtfTypes.Member member) {
        int pointer = btf.skipModifiers(member.type());
        if (btf.kind(pointer) != BtfTypes.Kind.PTR) {
            throw elf.error("map '" + map + "': field '" + member.name() + "' is not declared with __type (a pointer)");
        }
        return btf.referencedType(pointer);
    }

    /** The size of a {@code __type} field's type: {@code sizeof(T)}. */
    private long sizeOf(String map, BtfTypes.Member member, int type) {
        long size = btf.sizeOf(type);
        if (size > Integer.MAX_VALUE) {
            throw elf.error("map '" + map + "': " + member.name() + " type is too large");
        }
        return size;
    }

    private long agree(String map, String what, long previous, long size) {
        if (previous >= 0 && previous != size) {
            throw elf.error("map '" + map + "': " + what + " size given twice, as " + previous + " and " + size);
        }
        return size;
    }

    private Symbol findSymbol(String name, int sectionIndex) {
        for (Symbol symbol : elf.symbols()) {
            if (symbol.sectionIndex() == sectionIndex && symbol.name().equals(name) && !symbol.isSection()) {
                return symbol;
            }
        }
        throw elf.error("map '" + name + "' is described in .BTF but has no symbol in section '.maps'");
    }

    private void refuse(String name, int typeId, int sectionIndex, long offset, long size) {
        unsupported.add(new Unsupported(sectionIndex, offset, size, "uses map '" + name + "' of type " + LinuxMapTypes.describe(typeId)
                        + ", which TruffleBPF does not support"));
    }

    private void addGlobalData(Section section) {
        if (section.size() == 0) {
            return;
        }
        boolean readOnly = section.name().startsWith(".rodata");
        // As libbpf: no key type, the section's DATASEC as value type (a section without named variables has none).
        ObjectBtf.MapTypes types = new ObjectBtf.MapTypes(0, btf == null ? 0 : btf.findDatasec(section.name()));
        int index = add(MapDefinition.globalData(section.name(), elf.contents(section), readOnly), types, section.index(), 0, section.size());
        globalData.put(section.index(), index);
    }

    private int add(MapDefinition map, ObjectBtf.MapTypes types, int sectionIndex, long offset, long size) {
        String problem = map.problem();
        if (problem != null) {
            throw elf.error("map '" + map.name() + "': " + problem);
        }
        int index = maps.size();
        maps.add(map);
        btfTypes.add(types);
        placements.add(new Placement(index, sectionIndex, offset, size));
        return index;
    }
}
