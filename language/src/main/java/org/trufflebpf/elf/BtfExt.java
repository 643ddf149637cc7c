package org.trufflebpf.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.SourceLine;

/**
 * The line info of the {@code .BTF.ext} section clang writes with {@code -g}: per code section, from which
 * instruction on the code comes from which file, line and column, with the line's text. Offsets are bytes into
 * the code section, as in an object file; strings live in the {@code .BTF} section's string table. (Its function
 * info is not read: the kernel engine builds func_info from the linked program, whose layout is ours.)
 */
final class BtfExt {
    static final String SECTION = ".BTF.ext";
    private static final int MAGIC = 0xeb9f;
    private static final int MIN_HEADER = 24;
    private static final int LINE_INFO_MIN_RECORD = 16;
    /** A header this long or longer also places the CO-RE relocations. */
    private static final int CORE_RELO_HEADER = 32;
    private static final int CORE_RELO_MIN_RECORD = 16;
    /** {@code enum bpf_core_relo_kind}, by number. */
    private static final String[] CORE_RELO_KINDS = {"field_byte_offset", "field_byte_size", "field_exists", "field_signed", "field_lshift_u64",
                    "field_rshift_u64", "type_id_local", "type_id_target", "type_exists", "type_size", "enumval_exists", "enumval_value", "type_matches"};

    /** Code section name → line starts by byte offset. */
    private final Map<String, TreeMap<Long, SourceLine>> lines = new HashMap<>();
    /** Code section name → CO-RE relocations by byte offset, resolved against the types we model. */
    private final Map<String, TreeMap<Long, CoreRelocation>> coreRelocations = new HashMap<>();
    private final String fileName;

    private BtfExt(String fileName) {
        this.fileName = fileName;
    }

    static BtfExt parse(byte[] bytes, BtfTypes btf, String fileName) {
        BtfExt ext = new BtfExt(fileName);
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < MIN_HEADER || (data.getShort(0) & 0xffff) != MAGIC) {
            throw ext.error("bad header");
        }
        long headerLength = Integer.toUnsignedLong(data.getInt(4));
        if (headerLength < MIN_HEADER || headerLength > bytes.length) {
            throw ext.error("header length " + headerLength + " is out of range");
        }
        ext.readLineInfo(data, headerLength + Integer.toUnsignedLong(data.getInt(16)), Integer.toUnsignedLong(data.getInt(20)), btf);
        if (headerLength >= CORE_RELO_HEADER) {
            ext.readCoreRelocations(data, headerLength + Integer.toUnsignedLong(data.getInt(24)), Integer.toUnsignedLong(data.getInt(28)), btf);
        }
        return ext;
    }

    /** An empty table, for objects without {@code .BTF.ext}. */
    static BtfExt none(String fileName) {
        return new BtfExt(fileName);
    }

    /** The line starts of one code section by byte offset; empty when it has none. */
    TreeMap<Long, SourceLine> lines(String section) {
        return lines.getOrDefault(section, new TreeMap<>());
    }

    /** The CO-RE relocations of one code section by byte offset; empty when it has none. */
    TreeMap<Long, CoreRelocation> coreRelocations(String section) {
        return coreRelocations.getOrDefault(section, new TreeMap<>());
    }

    private void readCoreRelocations(ByteBuffer data, long start, long length, BtfTypes btf) {
        forEachRecord(data, start, length, CORE_RELO_MIN_RECORD, "core_relo", (section, at) -> {
            long insnOffset = Integer.toUnsignedLong(data.getInt(at));
            int type = data.getInt(at + 4);
            String access = btf.string(data.getInt(at + 8));
            int kind = data.getInt(at + 12);
            String kindName = kind >= 0 && kind < CORE_RELO_KINDS.length ? CORE_RELO_KINDS[kind] : "kind " + Integer.toUnsignedString(kind);
            String typeName = type > 0 && type <= btf.count() ? btf.kind(type).name().toLowerCase(Locale.ROOT) + " " + btf.name(type)
                            : "type " + Integer.toUnsignedString(type);
            String text = kindName + " of " + typeName + " (access " + access + ")";
            coreRelocations.computeIfAbsent(section, s -> new TreeMap<>()).put(insnOffset, CoreRelocation.resolve(btf, insnOffset, type, access, kind, text));
        }, btf);
    }

    private void readLineInfo(ByteBuffer data, long start, long length, BtfTypes btf) {
        forEachRecord(data, start, length, LINE_INFO_MIN_RECORD, "line_info", (section, at) -> {
            long insnOffset = Integer.toUnsignedLong(data.getInt(at));
            String file = btf.string(data.getInt(at + 4));
            String text = btf.string(data.getInt(at + 8));
            int lineColumn = data.getInt(at + 12);
            // line_col: line in the upper 22 bits, column in the lower 10 (the kernel's BPF_LINE_INFO_LINE_NUM).
            int line = lineColumn >>> 10;
            int column = lineColumn & 0x3ff;
            if (line != 0) {
                // Line 0 marks code clang made up (no source line): it keeps the line before it.
                lines.computeIfAbsent(section, s -> new TreeMap<>()).put(insnOffset, new SourceLine(file, line, column, text.strip()));
            }
        }, btf);
    }

    private interface RecordReader {
        void read(String section, int recordOffset);
    }

    /** Walks one info block: a record size, then per code section its name, record count and records. */
    private void forEachRecord(ByteBuffer data, long start, long length, int minRecord, String what, RecordReader reader, BtfTypes btf) {
        if (length == 0) {
            return;
        }
        long end = start + length;
        if (start < 0 || end > data.capacity() || length < 4) {
            throw error(what + " lies outside the section");
        }
        long recordSize = Integer.toUnsignedLong(data.getInt((int) start));
        if (recordSize < minRecord || recordSize % 4 != 0) {
            throw error(what + " record size " + recordSize + " is invalid");
        }
        long position = start + 4;
        while (position < end) {
            if (end - position < 8) {
                throw error(what + " is truncated");
            }
            String section = btf.string(data.getInt((int) position));
            long count = Integer.toUnsignedLong(data.getInt((int) position + 4));
            position += 8;
            if (count * recordSize > end - position) {
                throw error(what + " of section '" + section + "' runs past its end");
            }
            for (long i = 0; i < count; i++) {
                reader.read(section, (int) position);
                position += recordSize;
            }
        }
    }

    private BpfError error(String reason) {
        return new BpfError(BpfError.Kind.LOAD, fileName, "bad " + SECTION + ": " + reason);
    }

    /** The line table entries of one placed function: its code starts at slot {@code firstSlot} of the program. */
    static void place(TreeMap<Long, SourceLine> sectionLines, long functionStart, long functionEnd, int firstSlot, Map<Integer, SourceLine> into) {
        // The function's first instruction gets the line in force there (or "unknown"), so that it does not
        // inherit the previous function's.
        Map.Entry<Long, SourceLine> before = sectionLines.floorEntry(functionStart);
        into.put(firstSlot, before == null ? null : before.getValue());
        for (Map.Entry<Long, SourceLine> entry : sectionLines.subMap(functionStart, false, functionEnd, false).entrySet()) {
            into.put(firstSlot + (int) ((entry.getKey() - functionStart) / 8), entry.getValue());
        }
    }

}
