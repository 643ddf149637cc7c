package org.trufflebpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.trufflebpf.elf.BtfTypes.Kind;
import org.trufflebpf.elf.BtfTypesTest.Builder;

/** Values decoded by their BTF type, and BTF that lies about them shown without reading past the value. */
class BtfValueTextTest {
    /** BTF_INT_ENCODING bits: signed 1, char 2, bool 4; the low byte is the width in bits. */
    private static int intInfo(int encoding, int bits) {
        return (encoding << 24) | bits;
    }

    private static byte[] littleEndian(int size, long... values) {
        ByteBuffer buffer = ByteBuffer.allocate(size * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            switch (size) {
                case 1 -> buffer.put((byte) value);
                case 2 -> buffer.putShort((short) value);
                case 4 -> buffer.putInt((int) value);
                default -> buffer.putLong(value);
            }
        }
        return buffer.array();
    }

    @Test
    void integersAreDecimalSignedOnlyWhereTheTypeIsAndBoolsAndCharsReadAsSuch() {
        Builder b = new Builder();
        int u64 = b.type("unsigned long long", Kind.INT, 0, 8, intInfo(0, 64));
        int s32 = b.type("int", Kind.INT, 0, 4, intInfo(1, 32));
        int bool = b.type("_Bool", Kind.INT, 0, 1, intInfo(4, 8));
        int chr = b.type("char", Kind.INT, 0, 1, intInfo(2, 8));
        BtfTypes btf = BtfTypes.parse(b.build(), "t.o");
        assertEquals("18446744073709551615", BtfValueText.format(btf, u64, littleEndian(8, -1), 0));
        assertEquals("-2", BtfValueText.format(btf, s32, littleEndian(4, -2), 0));
        assertEquals("4294967294", BtfValueText.format(btf, u64, littleEndian(8, 4294967294L), 0));
        assertEquals("true", BtfValueText.format(btf, bool, new byte[] {1}, 0));
        assertEquals("'A'", BtfValueText.format(btf, chr, new byte[] {'A'}, 0));
        assertEquals("7", BtfValueText.format(btf, chr, new byte[] {7}, 0), "an unprintable char is its number");
    }

    @Test
    void aCharArrayHoldingTextIsAStringAndOtherwiseAList() {
        Builder b = new Builder();
        int chr = b.type("char", Kind.INT, 0, 1, intInfo(2, 8));
        int u32 = b.type("unsigned int", Kind.INT, 0, 4, intInfo(0, 32));
        int name = b.type("", Kind.ARRAY, 0, 0, chr, u32, 8);
        BtfTypes btf = BtfTypes.parse(b.build(), "t.o");
        assertEquals("\"bash\"", BtfValueText.format(btf, name, new byte[] {'b', 'a', 's', 'h', 0, 0, 0, 0}, 0));
        assertEquals("['b', 'a', 7, 0, 0, 0, 0, 0]", BtfValueText.format(btf, name, new byte[] {'b', 'a', 7, 0, 0, 0, 0, 0}, 0));
        assertEquals("['b', 'a', 0, 'x', 0, 0, 0, 0]", BtfValueText.format(btf, name, new byte[] {'b', 'a', 0, 'x', 0, 0, 0, 0}, 0),
                        "bytes after the NUL: not a string");
    }

    @Test
    void structsShowTheirFieldsWithEnumsByNameAndBitfieldsByWidth() {
        Builder b = new Builder();
        int u32 = b.type("unsigned int", Kind.INT, 0, 4, intInfo(0, 32));
        int u64 = b.type("unsigned long long", Kind.INT, 0, 8, intInfo(0, 64));
        int verdict = b.type("verdict", Kind.ENUM, 2, 4, b.name("PASS"), 1, b.name("DROP"), 2);
        // struct { u64 packets; enum verdict last; u32 syn:1, ttl:8; } with the kind flag: bitfield widths in the offsets.
        b.word(b.name("stats"));
        b.word((1 << 31) | (Kind.STRUCT.ordinal() << 24) | 4);
        b.word(16);
        b.word(b.name("packets"));
        b.word(u64);
        b.word(0);
        b.word(b.name("last"));
        b.word(verdict);
        b.word(64);
        b.word(b.name("syn"));
        b.word(u32);
        b.word((1 << 24) | 96);
        b.word(b.name("ttl"));
        b.word(u32);
        b.word((8 << 24) | 97);
        BtfTypes btf = BtfTypes.parse(b.build(), "t.o");
        int stats = 4;
        ByteBuffer value = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        value.putLong(3).putInt(2).putInt(1 | (64 << 1));
        assertEquals("{packets: 3, last: DROP, syn: 1, ttl: 64}", BtfValueText.format(btf, stats, value.array(), 0));
        value.putInt(8, 9);
        assertEquals("{packets: 3, last: 9, syn: 1, ttl: 64}", BtfValueText.format(btf, stats, value.array(), 0), "no enumerator 9: the number");
    }

    @Test
    void aTypeLargerThanTheValueIsAQuestionMarkAndNothingIsReadPastTheBytes() {
        Builder b = new Builder();
        int u64 = b.type("unsigned long long", Kind.INT, 0, 8, intInfo(0, 64));
        int u32 = b.type("unsigned int", Kind.INT, 0, 4, intInfo(0, 32));
        // A struct that says it is 8 bytes but puts a u64 member at byte 4.
        int liar = b.type("liar", Kind.STRUCT, 2, 8, b.name("a"), u32, 0, b.name("b"), u64, 32);
        BtfTypes btf = BtfTypes.parse(b.build(), "t.o");
        assertEquals("{a: 1, b: ?}", BtfValueText.format(btf, liar, littleEndian(4, 1, 2), 0));
        assertEquals("?", BtfValueText.format(btf, u64, new byte[4], 0));
    }

    @Test
    void aSelfNestingTypeAndAnArrayOfBillionsOfElementsEndInBoundedText() {
        Builder b = new Builder();
        int u32 = b.type("unsigned int", Kind.INT, 0, 4, intInfo(0, 32));
        int empty = b.type("empty", Kind.STRUCT, 0, 0);
        int huge = b.type("", Kind.ARRAY, 0, 0, empty, u32, 2_000_000_000);
        int nested = b.type("", Kind.ARRAY, 0, 0, huge, u32, 2_000_000_000);
        BtfTypes btf = BtfTypes.parse(b.build(), "t.o");
        String text = BtfValueText.format(btf, nested, new byte[0], 0);
        assertTrue(text.length() < 200_000, "text of " + text.length() + " characters");
        assertTrue(text.endsWith("… 1999999936 more]"), text.substring(Math.max(0, text.length() - 80)));
    }
}
