package org.trufflebpf.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.trufflebpf.model.BpfError;

/**
 * The type section of a {@code .BTF} section: every type record, checked when read, with the queries map
 * definitions need (names, sizes, struct members, arrays, data sections). Type ids start at 1; id 0 is void.
 * The layout follows the kernel's {@code include/uapi/linux/btf.h}.
 */
public final class BtfTypes {
    static final int MAGIC = 0xeb9f;
    static final int MIN_HEADER_SIZE = 24;
    static final int TYPE_HEADER_SIZE = 12;
    /** Chains of typedefs and qualifiers longer than this are treated as cycles. */
    static final int MAX_RESOLVE_DEPTH = 32;

    /** BTF kinds by their numbers. */
    public enum Kind {
        UNKNOWN, INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR, DATASEC, FLOAT,
        DECL_TAG, TYPE_TAG, ENUM64;

        static Kind of(int number) {
            Kind[] all = values();
            return number > 0 && number < all.length ? all[number] : null;
        }
    }

    /** A struct or union member; {@code bitOffset} is the offset in bits (bitfield size removed). */
    public record Member(String name, int type, long bitOffset) {
    }

    /** An array's element type and element count. */
    public record ArrayInfo(int elementType, int indexType, long elements) {
    }

    /** A variable placed in a data section: its VAR type id, offset and size as the compiler wrote them. */
    public record DatasecEntry(int type, long offset, long size) {
    }

    private final String fileName;
    private final ByteBuffer data;
    private final int stringsStart;
    private final int stringsLength;
    /** Per type id (index 0 unused): kind, info word, name offset, size-or-type, and offset of the record. */
    private final Kind[] kinds;
    private final int[] infos;
    private final int[] nameOffsets;
    private final int[] sizeOrType;
    private final int[] recordOffsets;

    private BtfTypes(String fileName, byte[] bytes) {
        this.fileName = fileName;
        this.data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < MIN_HEADER_SIZE) {
            throw error("section is " + bytes.length + " bytes, shorter than its header");
        }
        int magic = data.getShort(0) & 0xffff;
        if (magic != MAGIC) {
            throw error(String.format("bad magic 0x%04x (expected 0x%04x, little-endian)", magic, MAGIC));
        }
        int version = data.get(2) & 0xff;
        if (version != 1) {
            throw error("unsupported version " + version);
        }
        long headerLength = Integer.toUnsignedLong(data.getInt(4));
        long typeOffset = Integer.toUnsignedLong(data.getInt(8));
        long typeLength = Integer.toUnsignedLong(data.getInt(12));
        long stringOffset = Integer.toUnsignedLong(data.getInt(16));
        long stringLength = Integer.toUnsignedLong(data.getInt(20));
        if (headerLength < MIN_HEADER_SIZE || headerLength > bytes.length) {
            throw error("header length " + headerLength + " is out of range");
        }
        long typesStart = headerLength + typeOffset;
        long stringsBegin = headerLength + stringOffset;
        if (typesStart + typeLength > bytes.length || stringsBegin + stringLength > bytes.length) {
            throw error("type or string section lies outside the " + bytes.length + "-byte section");
        }
        if (typeOffset % 4 != 0) {
            throw error("type section offset " + typeOffset + " is not 4-byte aligned");
        }
        if (stringLength > 0 && data.get((int) stringsBegin) != 0) {
            throw error("string section does not start with an empty string");
        }
        this.stringsStart = (int) stringsBegin;
        this.stringsLength = (int) stringLength;

        int capacity = (int) (typeLength / TYPE_HEADER_SIZE) + 1;
        Kind[] kindList = new Kind[capacity];
        int[] infoList = new int[capacity];
        int[] nameList = new int[capacity];
        int[] sizeList = new int[capacity];
        int[] offsetList = new int[capacity];
        int count = 1;
        long position = typesStart;
        long end = typesStart + typeLength;
        while (position < end) {
            if (end - position < TYPE_HEADER_SIZE) {
                throw error("type " + count + " is truncated");
            }
            int base = (int) position;
            int info = data.getInt(base + 4);
            int kindNumber = (info >>> 24) & 0x1f;
            Kind kind = Kind.of(kindNumber);
            if (kind == null) {
                throw error("type " + count + " has unknown kind " + kindNumber);
            }
            int vlen = info & 0xffff;
            long extra = switch (kind) {
                case INT -> 4;
                case ARRAY -> 12;
                case STRUCT, UNION -> 12L * vlen;
                case ENUM -> 8L * vlen;
                case FUNC_PROTO -> 8L * vlen;
                case VAR -> 4;
                case DATASEC -> 12L * vlen;
                case DECL_TAG -> 4;
                case ENUM64 -> 12L * vlen;
                default -> 0;
            };
            long next = position + TYPE_HEADER_SIZE + extra;
            if (next > end) {
                throw error("type " + count + " (" + kind + ") runs past the end of the type section");
            }
            kindList[count] = kind;
            infoList[count] = info;
            nameList[count] = data.getInt(base);
            sizeList[count] = data.getInt(base + 8);
            offsetList[count] = base;
            checkName(count, nameList[count]);
            count++;
            position = next;
        }
        this.kinds = Arrays.copyOf(kindList, count);
        this.infos = Arrays.copyOf(infoList, count);
        this.nameOffsets = Arrays.copyOf(nameList, count);
        this.sizeOrType = Arrays.copyOf(sizeList, count);
        this.recordOffsets = Arrays.copyOf(offsetList, count);
    }

    /** Parses the contents of a {@code .BTF} section; {@code fileName} is for messages. */
    public static BtfTypes parse(byte[] section, String fileName) {
        return new BtfTypes(fileName, section);
    }

    /** Number of types, not counting void: valid ids are 1..count(). */
    public int count() {
        return kinds.length - 1;
    }

    public Kind kind(int id) {
        return id == 0 ? null : kinds[checkId(id)];
    }

    /** The type's name, "" if anonymous. */
    public String name(int id) {
        return string(nameOffsets[checkId(id)]);
    }

    /** Number of members, enumerators, parameters or data-section entries. */
    public int vlen(int id) {
        return infos[checkId(id)] & 0xffff;
    }

    public boolean kindFlag(int id) {
        return infos[checkId(id)] < 0;
    }

    /** The referenced type of PTR, TYPEDEF, qualifiers, FUNC, VAR, DECL_TAG and TYPE_TAG. */
    public int referencedType(int id) {
        Kind kind = kind(id);
        if (kind == null) {
            throw error("void does not refer to another type");
        }
        switch (kind) {
            case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, VAR, DECL_TAG, TYPE_TAG:
                return checkReference(id, sizeOrType[id]);
            default:
                throw error("type " + id + " (" + kind + ") does not refer to another type");
        }
    }

    /** Where the type's record starts in the section's bytes (for {@link BtfDatasecLayout}). */
    int recordOffset(int id) {
        return recordOffsets[checkId(id)];
    }

    /** The size field of INT, STRUCT, UNION, ENUM, ENUM64, FLOAT and DATASEC. */
    public long declaredSize(int id) {
        return Integer.toUnsignedLong(sizeOrType[checkId(id)]);
    }

    public ArrayInfo array(int id) {
        expect(id, Kind.ARRAY);
        int base = recordOffsets[id] + TYPE_HEADER_SIZE;
        return new ArrayInfo(checkReference(id, data.getInt(base)), checkReference(id, data.getInt(base + 4)),
                        Integer.toUnsignedLong(data.getInt(base + 8)));
    }

    public List<Member> members(int id) {
        Kind kind = kind(id);
        if (kind != Kind.STRUCT && kind != Kind.UNION) {
            throw error("type " + id + " is " + kind + ", not a struct or union");
        }
        List<Member> result = new ArrayList<>();
        int base = recordOffsets[id] + TYPE_HEADER_SIZE;
        for (int i = 0; i < vlen(id); i++) {
            int at = base + 12 * i;
            long offset = Integer.toUnsignedLong(data.getInt(at + 8));
            // With the kind flag, the top 8 bits hold a bitfield size and the low 24 bits the bit offset.
            long bitOffset = kindFlag(id) ? offset & 0xffffff : offset;
            result.add(new Member(string(data.getInt(at)), checkReference(id, data.getInt(at + 4)), bitOffset));
        }
        return result;
    }

    public List<DatasecEntry> datasecEntries(int id) {
        expect(id, Kind.DATASEC);
        List<DatasecEntry> result = new ArrayList<>();
        int base = recordOffsets[id] + TYPE_HEADER_SIZE;
        for (int i = 0; i < vlen(id); i++) {
            int at = base + 12 * i;
            result.add(new DatasecEntry(checkReference(id, data.getInt(at)), Integer.toUnsignedLong(data.getInt(at + 4)),
                            Integer.toUnsignedLong(data.getInt(at + 8))));
        }
        return result;
    }

    /** The id of the DATASEC with this name, or 0. */
    public int findDatasec(String sectionName) {
        for (int id = 1; id < kinds.length; id++) {
            if (kinds[id] == Kind.DATASEC && name(id).equals(sectionName)) {
                return id;
            }
        }
        return 0;
    }

    /** Follows typedefs, qualifiers and type tags to the type they name. */
    public int skipModifiers(int id) {
        int current = id;
        for (int depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
            Kind kind = kind(current);
            if (kind != Kind.TYPEDEF && kind != Kind.VOLATILE && kind != Kind.CONST && kind != Kind.RESTRICT && kind != Kind.TYPE_TAG) {
                return current;
            }
            current = referencedType(current);
        }
        throw error("type " + id + ": chain of typedefs and qualifiers is too long (a cycle?)");
    }

    /** The size in bytes of a value of this type, as {@code sizeof} gives it. */
    public long sizeOf(int id) {
        return sizeOf(id, id, 0);
    }

    private long sizeOf(int origin, int id, int depth) {
        if (depth > MAX_RESOLVE_DEPTH) {
            throw error("type " + origin + ": type chain is too deep (a cycle?)");
        }
        Kind kind = kind(id);
        if (kind == null) {
            throw error("void has no size");
        }
        return switch (kind) {
            case INT, STRUCT, UNION, ENUM, ENUM64, FLOAT, DATASEC -> declaredSize(id);
            case PTR -> 8;
            case TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, VAR -> sizeOf(origin, referencedType(id), depth + 1);
            case ARRAY -> {
                ArrayInfo array = array(id);
                long element = sizeOf(origin, array.elementType(), depth + 1);
                if (array.elements() != 0 && element > Integer.MAX_VALUE / array.elements()) {
                    throw error("array type " + id + " is too large");
                }
                yield element * array.elements();
            }
            default -> throw error("type " + id + " (" + kind + ") has no size");
        };
    }

    private void expect(int id, Kind kind) {
        if (kind(id) != kind) {
            throw error("type " + id + " is " + kind(id) + ", not " + kind);
        }
    }

    private int checkId(int id) {
        if (id <= 0 || id >= kinds.length) {
            throw error("type id " + Integer.toUnsignedString(id) + " is out of range (" + count() + " types)");
        }
        return id;
    }

    private int checkReference(int from, int id) {
        if (id < 0 || id >= kinds.length) {
            throw error("type " + from + " refers to type " + Integer.toUnsignedString(id) + ", which does not exist (" + count() + " types)");
        }
        return id;
    }

    private void checkName(int id, int offset) {
        if (Integer.toUnsignedLong(offset) >= Math.max(stringsLength, 1) && offset != 0) {
            throw error("type " + id + " has name offset " + Integer.toUnsignedString(offset) + " outside the string section");
        }
    }

    private String string(int offset) {
        long start = Integer.toUnsignedLong(offset);
        if (start == 0 && stringsLength == 0) {
            return "";
        }
        if (start >= stringsLength) {
            throw error("string offset " + start + " lies outside the string section (" + stringsLength + " bytes)");
        }
        int from = stringsStart + (int) start;
        int end = stringsStart + stringsLength;
        for (int i = from; i < end; i++) {
            if (data.get(i) == 0) {
                byte[] text = new byte[i - from];
                data.get(from, text);
                return ElfFile.printable(new String(text, StandardCharsets.UTF_8));
            }
        }
        throw error("string at offset " + start + " is not terminated");
    }

    private BpfError error(String reason) {
        return new BpfError(BpfError.Kind.LOAD, fileName, "bad .BTF: " + reason);
    }
}
