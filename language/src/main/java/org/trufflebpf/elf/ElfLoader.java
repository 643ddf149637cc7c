package org.trufflebpf.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.trufflebpf.elf.ElfFile.Section;
import org.trufflebpf.elf.ElfFile.Symbol;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.ObjectBtf;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.RefusedProgram;

/**
 * Loads a BPF ELF object as clang writes it ({@code clang -O2 -g -target bpf -c}) following libbpf's
 * conventions: programs in named sections, subprograms in {@code .text}, maps in {@code maps} and
 * {@code .maps}, global data sections as array maps, the license in {@code license}. Bad input gives a
 * one-line {@link org.trufflebpf.model.BpfError} of kind LOAD naming the file.
 */
public final class ElfLoader {
    static final String LICENSE_SECTION = "license";
    static final String BTF_SECTION = ".BTF";

    private ElfLoader() {
    }

    public static BpfObject load(byte[] bytes, String fileName) {
        ElfFile elf = ElfFile.read(bytes, fileName);
        Section btfSection = elf.section(BTF_SECTION);
        BtfTypes btf = btfSection == null ? null : BtfTypes.parse(elf.contents(btfSection), fileName);
        ElfMaps elfMaps = ElfMaps.read(elf, btf);
        Section extSection = elf.section(BtfExt.SECTION);
        // Line info names its strings in .BTF: without it (or without -g) instructions have no C lines.
        BtfExt lineInfo = btf == null || extSection == null ? BtfExt.none(fileName) : BtfExt.parse(elf.contents(extSection), btf, fileName);
        List<RefusedProgram> refused = new ArrayList<>();
        List<Program> programs = ProgramLinker.linkAll(elf, elfMaps, lineInfo, refused);
        List<MapDefinition> maps = withInitialPrograms(elf, elfMaps, programs, refused);
        List<Program> withMaps = new ArrayList<>(programs.size());
        for (Program program : programs) {
            withMaps.add(new Program(program.name(), program.section(), program.type(), program.code(), maps, program.sourceName(),
                            program.symbols(), null, program.lines()));
        }
        ObjectBtf objectBtf = btf == null ? null : new ObjectBtf(BtfDatasecLayout.fill(elf, elf.contents(btfSection), btf), elfMaps.btfTypes());
        return new BpfObject(fileName, withMaps, maps, license(elf), objectBtf, refused);
    }

    /**
     * The named variables of an object's global data sections ({@code .data}, {@code .rodata}, {@code .bss}, ...),
     * with the index of the map {@link #load} gives each section. Rejects the same bad input as {@link #load}.
     */
    public static List<GlobalVariable> globalVariables(byte[] bytes, String fileName) {
        ElfFile elf = ElfFile.read(bytes, fileName);
        Section btfSection = elf.section(BTF_SECTION);
        BtfTypes btf = btfSection == null ? null : BtfTypes.parse(elf.contents(btfSection), fileName);
        return ElfMaps.read(elf, btf).globalVariables();
    }

    /**
     * Fills in the prog arrays' initial slots by program name; each slot must name a program of this object. A
     * slot naming a refused program stays empty, as a failed tail call to it would leave it.
     */
    private static List<MapDefinition> withInitialPrograms(ElfFile elf, ElfMaps elfMaps, List<Program> programs, List<RefusedProgram> refused) {
        Set<String> names = new HashSet<>();
        for (Program program : programs) {
            names.add(program.name());
        }
        Set<String> refusedNames = new HashSet<>();
        for (RefusedProgram program : refused) {
            refusedNames.add(program.name());
        }
        List<MapDefinition> maps = new ArrayList<>(elfMaps.maps());
        for (Map.Entry<Integer, Map<Integer, Integer>> entry : elfMaps.initialSlots().entrySet()) {
            MapDefinition map = maps.get(entry.getKey());
            Map<Integer, String> slots = new TreeMap<>();
            for (Map.Entry<Integer, Integer> slot : entry.getValue().entrySet()) {
                Symbol symbol = elf.symbol(slot.getValue());
                if (refusedNames.contains(symbol.name())) {
                    continue;
                }
                if (!names.contains(symbol.name())) {
                    throw elf.error("map '" + map.name() + "': slot " + slot.getKey() + " refers to '" + symbol.name() + "', which is not a program");
                }
                slots.put(slot.getKey(), symbol.name());
            }
            maps.set(entry.getKey(), map.withInitialPrograms(slots));
        }
        return maps;
    }

    private static String license(ElfFile elf) {
        Section section = elf.section(LICENSE_SECTION);
        if (section == null) {
            return null;
        }
        byte[] contents = elf.contents(section);
        int end = 0;
        while (end < contents.length && contents[end] != 0) {
            end++;
        }
        return new String(contents, 0, end, StandardCharsets.UTF_8);
    }
}
