package org.trufflebpf.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.trufflebpf.model.BpfError;

/**
 * The structure of an ELF64 little-endian relocatable object for the BPF machine: its sections, its symbol
 * table and its relocations. Every offset, size and index is checked against the file when the object is read,
 * so later stages may use what this class returns without bounds checks; any inconsistency is a
 * {@link BpfError} of kind LOAD naming the file.
 */
public final class ElfFile {
    public static final int EM_BPF = 247;
    static final int EM_NONE = 0;
    static final int ET_REL = 1;
    static final int HEADER_SIZE = 64;
    static final int SECTION_HEADER_SIZE = 64;
    static final int SYMBOL_SIZE = 24;
    static final int REL_SIZE = 16;
    /** Largest zero-filled (NOBITS) section we materialise; far above any real BPF global data. */
    public static final long MAX_NOBITS_SIZE = 64L << 20;

    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;

    public static final long SHF_WRITE = 1;
    public static final long SHF_ALLOC = 2;
    public static final long SHF_EXECINSTR = 4;

    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;
    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;

    static final int SHN_UNDEF = 0;
    static final int SHN_LORESERVE = 0xff00;
    static final int SHN_ABS = 0xfff1;
    static final int SHN_COMMON = 0xfff2;
    static final int SHN_XINDEX = 0xffff;

    /** BPF relocation types (LLVM's {@code ELF/RelocationTypes/BPF.def}). */
    public static final int R_BPF_NONE = 0;
    public static final int R_BPF_64_64 = 1;
    public static final int R_BPF_64_ABS64 = 2;
    public static final int R_BPF_64_ABS32 = 3;
    public static final int R_BPF_64_NODYLD32 = 4;
    public static final int R_BPF_64_32 = 10;

    /** One section header, with its name resolved. */
    public record Section(int index, String name, int type, long flags, long offset, long size, int link, int info, long entrySize) {
        public boolean isExecutable() {
            return type == SHT_PROGBITS && (flags & SHF_EXECINSTR) != 0;
        }

        public boolean hasFileData() {
            return type != SHT_NOBITS && type != SHT_NULL;
        }
    }

    /**
     * One symbol. {@code sectionIndex} is the raw {@code st_shndx}; section symbols take their section's name.
     */
    public record Symbol(int index, String name, long value, long size, int type, int binding, int sectionIndex) {
        public boolean isFunction() {
            return type == STT_FUNC;
        }

        public boolean isSection() {
            return type == STT_SECTION;
        }

        public boolean isDefinedInSection() {
            return sectionIndex != SHN_UNDEF && sectionIndex < SHN_LORESERVE;
        }
    }

    /** One REL entry: where in the target section, which type, which symbol. */
    public record Relocation(long offset, int type, int symbolIndex) {
    }

    private final String fileName;
    private final byte[] bytes;
    private final ByteBuffer data;
    private final List<Section> sections;
    private final List<Symbol> symbols;
    /** Target section index → relocations applying to it, in file order. */
    private final Map<Integer, List<Relocation>> relocations;

    private ElfFile(String fileName, byte[] bytes) {
        this.fileName = fileName;
        this.bytes = bytes;
        this.data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        checkHeader();
        this.sections = readSections();
        this.symbols = readSymbols();
        this.relocations = readRelocations();
    }

    /** Reads and checks the object's structure. */
    public static ElfFile read(byte[] bytes, String fileName) {
        return new ElfFile(fileName, bytes);
    }

    public String fileName() {
        return fileName;
    }

    public List<Section> sections() {
        return sections;
    }

    public List<Symbol> symbols() {
        return symbols;
    }

    public Section section(int index) {
        return sections.get(index);
    }

    /** The section with this name, or null. */
    public Section section(String name) {
        for (Section section : sections) {
            if (section.name().equals(name)) {
                return section;
            }
        }
        return null;
    }

    public Symbol symbol(int index) {
        return symbols.get(index);
    }

    /** The relocations that apply to a section, in file order; empty if none. */
    public List<Relocation> relocationsFor(int sectionIndex) {
        return relocations.getOrDefault(sectionIndex, List.of());
    }

    /** A section's bytes; a NOBITS section reads as zeros. */
    public byte[] contents(Section section) {
        if (!section.hasFileData()) {
            if (section.size() < 0 || section.size() > MAX_NOBITS_SIZE) {
                throw error("section '" + section.name() + "' is " + Long.toUnsignedString(section.size()) + " bytes, more than the limit of "
                                + MAX_NOBITS_SIZE);
            }
            return new byte[(int) section.size()];
        }
        return Arrays.copyOfRange(bytes, (int) section.offset(), (int) (section.offset() + section.size()));
    }

    /** A LOAD error about this file. */
    public BpfError error(String reason) {
        return new BpfError(BpfError.Kind.LOAD, fileName, reason);
    }

    private void checkHeader() {
        if (bytes.length < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw error("not an ELF file (bad magic number)");
        }
        if (bytes.length > 4 && bytes[4] != 2) {
            throw error("not a 64-bit ELF file (class " + bytes[4] + "); BPF objects are ELF64");
        }
        if (bytes.length > 5 && bytes[5] != 1) {
            throw error("not a little-endian ELF file (data encoding " + bytes[5] + "); only little-endian BPF is supported");
        }
        if (bytes.length < HEADER_SIZE) {
            throw error("truncated ELF header: " + bytes.length + " bytes, need " + HEADER_SIZE);
        }
        int machine = u16(18);
        // Old LLVM wrote no machine (EM_NONE); libbpf accepts those objects too.
        if (machine != EM_BPF && machine != EM_NONE) {
            throw error("ELF machine is " + machine + ", not BPF (" + EM_BPF + ") or none (" + EM_NONE + ", old LLVM)");
        }
        int type = u16(16);
        if (type != ET_REL) {
            throw error("ELF type is " + type + ", not a relocatable object (" + ET_REL + ")");
        }
        if (u16(58) != SECTION_HEADER_SIZE) {
            throw error("section header size is " + u16(58) + ", not " + SECTION_HEADER_SIZE);
        }
    }

    private List<Section> readSections() {
        long tableOffset = data.getLong(40);
        int count = u16(60);
        int namesIndex = u16(62);
        if (count == 0) {
            throw error("the object has no section headers");
        }
        if (tableOffset < 0 || tableOffset > bytes.length || (long) count * SECTION_HEADER_SIZE > bytes.length - tableOffset) {
            throw error("section header table (offset " + Long.toUnsignedString(tableOffset) + ", " + count + " entries) lies outside the file ("
                            + bytes.length + " bytes)");
        }
        if (namesIndex >= count) {
            throw error("section name table index " + namesIndex + " is out of range (" + count + " sections)");
        }
        List<Section> raw = new ArrayList<>(count);
        int[] nameOffsets = new int[count];
        for (int i = 0; i < count; i++) {
            int base = (int) (tableOffset + (long) i * SECTION_HEADER_SIZE);
            int nameOffset = data.getInt(base);
            int type = data.getInt(base + 4);
            long flags = data.getLong(base + 8);
            long offset = data.getLong(base + 24);
            long size = data.getLong(base + 32);
            int link = data.getInt(base + 40);
            int info = data.getInt(base + 44);
            long entrySize = data.getLong(base + 56);
            if (type != SHT_NOBITS && type != SHT_NULL && (offset < 0 || size < 0 || offset > bytes.length || size > bytes.length - offset)) {
                throw error("section " + i + " (offset " + Long.toUnsignedString(offset) + ", size " + Long.toUnsignedString(size)
                                + ") lies outside the file (" + bytes.length + " bytes)");
            }
            nameOffsets[i] = nameOffset;
            raw.add(new Section(i, "", type, flags, offset, size, link, info, entrySize));
        }
        Section names = raw.get(namesIndex);
        if (names.type() != SHT_STRTAB) {
            throw error("section name table (section " + namesIndex + ") is not a string table");
        }
        List<Section> result = new ArrayList<>(count);
        for (Section s : raw) {
            String name = s.type() == SHT_NULL && s.index() == 0 ? "" : string(names, nameOffsets[s.index()], "name of section " + s.index());
            result.add(new Section(s.index(), name, s.type(), s.flags(), s.offset(), s.size(), s.link(), s.info(), s.entrySize()));
        }
        return List.copyOf(result);
    }

    private List<Symbol> readSymbols() {
        Section table = null;
        for (Section section : sections) {
            if (section.type() == SHT_SYMTAB) {
                if (table != null) {
                    throw error("the object has more than one symbol table");
                }
                table = section;
            }
        }
        if (table == null) {
            throw error("the object has no symbol table");
        }
        if (table.size() % SYMBOL_SIZE != 0) {
            throw error("symbol table size " + table.size() + " is not a multiple of " + SYMBOL_SIZE);
        }
        if (table.link() < 0 || table.link() >= sections.size() || sections.get(table.link()).type() != SHT_STRTAB) {
            throw error("symbol table names string table " + Integer.toUnsignedString(table.link()) + ", which is not a string table");
        }
        Section names = sections.get(table.link());
        int count = (int) (table.size() / SYMBOL_SIZE);
        List<Symbol> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int base = (int) (table.offset() + (long) i * SYMBOL_SIZE);
            int nameOffset = data.getInt(base);
            int info = bytes[base + 4] & 0xff;
            int sectionIndex = u16(base + 6);
            long value = data.getLong(base + 8);
            long size = data.getLong(base + 16);
            int type = info & 0xf;
            int binding = info >>> 4;
            if (sectionIndex == SHN_XINDEX) {
                throw error("symbol " + i + " uses an extended section index, which BPF objects do not need");
            }
            if (sectionIndex != SHN_UNDEF && sectionIndex < SHN_LORESERVE && sectionIndex >= sections.size()) {
                throw error("symbol " + i + " refers to section " + sectionIndex + ", but there are only " + sections.size());
            }
            String name = string(names, nameOffset, "name of symbol " + i);
            if (name.isEmpty() && type == STT_SECTION && sectionIndex < sections.size()) {
                name = sections.get(sectionIndex).name();
            }
            result.add(new Symbol(i, name, value, size, type, binding, sectionIndex));
        }
        return List.copyOf(result);
    }

    private Map<Integer, List<Relocation>> readRelocations() {
        Map<Integer, List<Relocation>> result = new HashMap<>();
        for (Section section : sections) {
            if (section.type() == SHT_RELA) {
                throw error("section '" + section.name() + "' holds RELA relocations; BPF objects use REL");
            }
            if (section.type() != SHT_REL) {
                continue;
            }
            int target = section.info();
            if (target <= 0 || target >= sections.size()) {
                throw error("relocation section '" + section.name() + "' applies to section " + Integer.toUnsignedString(target) + ", which does not exist");
            }
            Section targetSection = sections.get(target);
            if (section.size() % REL_SIZE != 0) {
                throw error("relocation section '" + section.name() + "' size " + section.size() + " is not a multiple of " + REL_SIZE);
            }
            if (section.link() < 0 || section.link() >= sections.size() || sections.get(section.link()).type() != SHT_SYMTAB) {
                throw error("relocation section '" + section.name() + "' does not link to the symbol table");
            }
            List<Relocation> list = result.computeIfAbsent(target, k -> new ArrayList<>());
            int count = (int) (section.size() / REL_SIZE);
            for (int i = 0; i < count; i++) {
                int base = (int) (section.offset() + (long) i * REL_SIZE);
                long offset = data.getLong(base);
                long info = data.getLong(base + 8);
                int type = (int) info;
                long symbolIndex = info >>> 32;
                String where = "relocation " + i + " of '" + section.name() + "'";
                if (symbolIndex >= symbols.size()) {
                    throw error(where + " refers to symbol " + symbolIndex + ", but there are only " + symbols.size());
                }
                int width = switch (type) {
                    case R_BPF_NONE -> 0;
                    case R_BPF_64_64 -> 16;
                    case R_BPF_64_ABS64, R_BPF_64_32 -> 8;
                    case R_BPF_64_ABS32, R_BPF_64_NODYLD32 -> 4;
                    default -> throw error(where + " has unknown type " + Integer.toUnsignedString(type));
                };
                if (targetSection.type() == SHT_NOBITS && type != R_BPF_NONE) {
                    throw error(where + " applies to '" + targetSection.name() + "', which has no contents");
                }
                if (offset < 0 || offset > targetSection.size() || width > targetSection.size() - offset) {
                    throw error(where + " at offset " + Long.toUnsignedString(offset) + " lies outside section '" + targetSection.name() + "' ("
                                    + targetSection.size() + " bytes)");
                }
                list.add(new Relocation(offset, type, (int) symbolIndex));
            }
        }
        Map<Integer, List<Relocation>> frozen = new HashMap<>();
        result.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return Map.copyOf(frozen);
    }

    private String string(Section table, int offset, String what) {
        long start = Integer.toUnsignedLong(offset);
        if (start >= table.size()) {
            throw error(what + ": string offset " + start + " lies outside its string table (" + table.size() + " bytes)");
        }
        int from = (int) (table.offset() + start);
        int end = (int) (table.offset() + table.size());
        for (int i = from; i < end; i++) {
            if (bytes[i] == 0) {
                return printable(new String(bytes, from, i - from, StandardCharsets.UTF_8));
            }
        }
        throw error(what + ": string at offset " + start + " is not terminated");
    }

    /**
     * Names go into one-line messages and listings: control characters (never part of a real symbol or
     * section name) are shown as '?'.
     */
    static String printable(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                StringBuilder sb = new StringBuilder(name.length());
                name.codePoints().forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? '?' : c));
                return sb.toString();
            }
        }
        return name;
    }

    private int u16(int offset) {
        return data.getShort(offset) & 0xffff;
    }
}
