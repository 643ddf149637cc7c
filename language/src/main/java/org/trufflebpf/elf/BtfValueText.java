package org.trufflebpf.elf;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import org.trufflebpf.model.BpfError;

/**
 * A value's bytes as text by its BTF type, as {@code bpftool map dump} reads them: integers in decimal (signed
 * where the type is), bools, chars and char arrays as text, enums by enumerator name, structs and unions as
 * {@code {field: value, ...}}, arrays as {@code [a, b, ...]}, pointers in hex. What the type does not describe
 * (void, a function, a forward declaration, bytes the type claims beyond the value) is shown as {@code ?}, and an
 * integer wider than 64 bits or nesting deeper than {@link #MAX_DEPTH} as hex.
 *
 * <p>The BTF comes with the object, so it is not trusted: every read is checked against the value's bytes,
 * nesting is bounded (a type may refer to itself), and so is the text (a type may claim billions of elements).
 */
public final class BtfValueText {
    /** Deeper nesting than any C type needs; deeper is shown as hex. */
    static final int MAX_DEPTH = 16;
    /** Elements of one array shown before "… N more". */
    static final int MAX_ELEMENTS = 64;
    /** Numbers, strings and hex pieces in one value's text, after which it ends in "…". */
    static final int MAX_ITEMS = 4096;

    private final BtfTypes btf;
    private final byte[] bytes;
    private final StringBuilder out = new StringBuilder();
    private int items;

    private BtfValueText(BtfTypes btf, byte[] bytes) {
        this.btf = btf;
        this.bytes = bytes;
    }

    /** The value of {@code type} that starts at {@code offset} of {@code bytes}. */
    public static String format(BtfTypes btf, int type, byte[] bytes, int offset) {
        BtfValueText text = new BtfValueText(btf, bytes);
        try {
            text.value(type, offset, 0);
        } catch (BpfError badType) {
            // A type the BTF cannot resolve (checked ids, cycles of typedefs): the bytes as they are.
            return hex(bytes, offset, bytes.length - offset);
        }
        return text.out.toString();
    }

    /** Bytes as space-separated hex pairs, the form of a value without a type. */
    public static String hex(byte[] bytes, int offset, int length) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes, offset, offset + Math.max(0, length));
    }

    private boolean spent() {
        if (items >= MAX_ITEMS) {
            return true;
        }
        items++;
        return false;
    }

    private void value(int type, long offset, int depth) {
        if (spent()) {
            out.append('…');
            return;
        }
        int id = type == 0 ? 0 : btf.skipModifiers(type);
        BtfTypes.Kind kind = id == 0 ? null : btf.kind(id);
        if (kind == BtfTypes.Kind.VAR) {
            value(btf.referencedType(id), offset, depth);
            return;
        }
        long size = sizeOrMinusOne(id);
        if (kind == null || size < 0 || offset < 0 || offset + size > bytes.length) {
            // void, a function or a forward declaration has no value to show; a type larger than the value lies.
            out.append('?');
            return;
        }
        if (depth > MAX_DEPTH) {
            out.append(hex(bytes, (int) offset, (int) size));
            return;
        }
        switch (kind) {
            case INT -> integer(id, offset * 8, 0);
            case ENUM, ENUM64 -> enumeration(id, offset);
            case PTR -> out.append(String.format(Locale.ROOT, "0x%x", read(offset * 8, 64)));
            case FLOAT -> floating(offset, (int) size);
            case ARRAY -> array(id, offset, depth);
            case STRUCT, UNION -> members(id, offset, depth);
            default -> out.append(hex(bytes, (int) offset, (int) size));
        }
    }

    private long sizeOrMinusOne(int id) {
        if (id == 0) {
            return -1;
        }
        return switch (btf.kind(id)) {
            case INT, ENUM, ENUM64, PTR, FLOAT, ARRAY, STRUCT, UNION, VAR -> btf.sizeOf(id);
            default -> -1;
        };
    }

    /** An integer at {@code bitOffset}; {@code bitWidth} 0 means the type's own width (a bitfield member gives its own). */
    private void integer(int id, long bitOffset, int bitWidth) {
        BtfTypes.IntEncoding encoding = btf.intEncoding(id);
        int bits = bitWidth != 0 ? bitWidth : (int) Math.min(encoding.bits(), btf.declaredSize(id) * 8);
        if (bits <= 0 || bits > 64) {
            // __int128 and other widths beyond a long: one hex number (the bytes are stored least significant first).
            out.append("0x").append(HexFormat.of().formatHex(reversed(bitOffset / 8, (int) btf.declaredSize(id))));
            return;
        }
        long raw = read(bitOffset, bits);
        long value = encoding.signed() && bits < 64 ? (raw << (64 - bits)) >> (64 - bits) : raw;
        if (encoding.isBool()) {
            out.append(value != 0);
        } else if ((encoding.isChar() || btf.name(id).equals("char")) && bits == 8 && value >= 0x20 && value < 0x7f) {
            out.append('\'').append((char) value).append('\'');
        } else if (encoding.signed()) {
            out.append(value);
        } else {
            out.append(Long.toUnsignedString(value));
        }
    }

    private void enumeration(int id, long offset) {
        int size = (int) btf.declaredSize(id);
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            out.append(hex(bytes, (int) offset, size));
            return;
        }
        long raw = read(offset * 8, size * 8);
        boolean signed = btf.kindFlag(id);
        long value = signed && size < 8 ? (raw << (64 - size * 8)) >> (64 - size * 8) : raw;
        for (BtfTypes.Enumerator enumerator : btf.enumerators(id)) {
            long declared = size < 8 && !signed ? enumerator.value() & (-1L >>> (64 - size * 8)) : enumerator.value();
            if (declared == value) {
                out.append(enumerator.name());
                return;
            }
        }
        out.append(signed ? Long.toString(value) : Long.toUnsignedString(value));
    }

    private void floating(long offset, int size) {
        if (size == 4) {
            out.append(Float.intBitsToFloat((int) read(offset * 8, 32)));
        } else if (size == 8) {
            out.append(Double.longBitsToDouble(read(offset * 8, 64)));
        } else {
            out.append(hex(bytes, (int) offset, size));
        }
    }

    private void array(int id, long offset, int depth) {
        BtfTypes.ArrayInfo info = btf.array(id);
        int element = info.elementType() == 0 ? 0 : btf.skipModifiers(info.elementType());
        long elementSize = sizeOrMinusOne(element);
        if (elementSize == 1 && btf.kind(element) == BtfTypes.Kind.INT && isCharType(element) && text(offset, info.elements())) {
            return;
        }
        out.append('[');
        long shown = Math.min(info.elements(), MAX_ELEMENTS);
        for (long i = 0; i < shown && items < MAX_ITEMS; i++) {
            if (i > 0) {
                out.append(", ");
            }
            value(element, offset + i * Math.max(elementSize, 0), depth + 1);
        }
        if (info.elements() > shown) {
            out.append(", … ").append(info.elements() - shown).append(" more");
        }
        out.append(']');
    }

    private boolean isCharType(int id) {
        return btf.intEncoding(id).isChar() || btf.name(id).endsWith("char");
    }

    /** A char array that holds printable text up to a NUL and only NULs after it, as a quoted string. */
    private boolean text(long offset, long length) {
        int end = (int) offset;
        int limit = (int) (offset + length);
        while (end < limit && bytes[end] != 0) {
            if (bytes[end] < 0x20 || bytes[end] >= 0x7f) {
                return false;
            }
            end++;
        }
        if (end == limit) {
            return false;
        }
        for (int i = end; i < limit; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        out.append('"').append(new String(bytes, (int) offset, end - (int) offset, StandardCharsets.US_ASCII)).append('"');
        return true;
    }

    private void members(int id, long offset, int depth) {
        List<BtfTypes.Member> members = btf.members(id);
        out.append('{');
        boolean first = true;
        for (BtfTypes.Member member : members) {
            if (items >= MAX_ITEMS) {
                out.append(first ? "…" : ", …");
                break;
            }
            if (!first) {
                out.append(", ");
            }
            first = false;
            if (!member.name().isEmpty()) {
                out.append(member.name()).append(": ");
            }
            member(member, offset, depth);
        }
        out.append('}');
    }

    private void member(BtfTypes.Member member, long structOffset, int depth) {
        long bitOffset = structOffset * 8 + member.bitOffset();
        int type = member.type() == 0 ? 0 : btf.skipModifiers(member.type());
        boolean isInt = type != 0 && btf.kind(type) == BtfTypes.Kind.INT;
        if (isInt && (member.bitSize() != 0 || bitOffset % 8 != 0)) {
            int width = member.bitSize() != 0 ? member.bitSize() : btf.intEncoding(type).bits();
            if (width <= 0 || width > 64 || bitOffset + width > bytes.length * 8L) {
                out.append('?');
                return;
            }
            if (spent()) {
                out.append('…');
                return;
            }
            integer(type, bitOffset, width);
            return;
        }
        if (bitOffset % 8 != 0) {
            out.append('?');
            return;
        }
        value(member.type(), bitOffset / 8, depth + 1);
    }

    /** {@code bits} (at most 64) little-endian bits from {@code bitOffset}; the caller has checked they lie in the value. */
    private long read(long bitOffset, int bits) {
        long result = 0;
        for (int i = 0; i < bits; i++) {
            long bit = bitOffset + i;
            if ((bytes[(int) (bit >>> 3)] >>> (bit & 7) & 1) != 0) {
                result |= 1L << i;
            }
        }
        return result;
    }

    private byte[] reversed(long offset, int length) {
        byte[] result = new byte[length];
        for (int i = 0; i < length; i++) {
            result[i] = bytes[(int) offset + length - 1 - i];
        }
        return result;
    }
}
