package org.trufflebpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.elf.BtfTypes.Kind;
import org.trufflebpf.model.BpfError;

class BtfTypesTest {

    /** Writes BTF type records and strings the way the kernel's btf.h lays them out. */
    static final class Builder {
        private final ByteArrayOutputStream types = new ByteArrayOutputStream();
        private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
        private int next = 1;

        Builder() {
            strings.write(0);
        }

        int name(String text) {
            if (text.isEmpty()) {
                return 0;
            }
            int offset = strings.size();
            strings.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return offset;
        }

        int type(String name, Kind kind, int vlen, int sizeOrType, int... extra) {
            word(name(name));
            word((kind.ordinal() << 24) | vlen);
            word(sizeOrType);
            for (int value : extra) {
                word(value);
            }
            return next++;
        }

        void word(int value) {
            types.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
        }

        byte[] build() {
            byte[] t = types.toByteArray();
            byte[] s = strings.toByteArray();
            ByteBuffer out = ByteBuffer.allocate(24 + t.length + s.length).order(ByteOrder.LITTLE_ENDIAN);
            out.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0);
            out.putInt(24).putInt(0).putInt(t.length).putInt(t.length).putInt(s.length);
            out.put(t).put(s);
            return out.array();
        }
    }

    @Test
    void everyKindParsesAndSizesResolve() {
        Builder b = new Builder();
        int u32 = b.type("unsigned int", Kind.INT, 0, 4, 32);
        int u64 = b.type("unsigned long long", Kind.INT, 0, 8, 64);
        int ptr = b.type("", Kind.PTR, 0, u32);
        int array = b.type("", Kind.ARRAY, 0, 0, u64, u32, 5);
        int typedef = b.type("__u64", Kind.TYPEDEF, 0, u64);
        int volatileT = b.type("", Kind.VOLATILE, 0, typedef);
        int constT = b.type("", Kind.CONST, 0, volatileT);
        int restrict = b.type("", Kind.RESTRICT, 0, ptr);
        int typeTag = b.type("user", Kind.TYPE_TAG, 0, constT);
        int struct = b.type("pair", Kind.STRUCT, 2, 16, b.name("a"), u64, 0, b.name("b"), array, 64);
        int union = b.type("either", Kind.UNION, 2, 8, b.name("x"), u32, 0, b.name("y"), u64, 0);
        int enumT = b.type("colour", Kind.ENUM, 2, 4, b.name("RED"), 0, b.name("BLUE"), 1);
        int fwd = b.type("opaque", Kind.FWD, 0, 0);
        int proto = b.type("", Kind.FUNC_PROTO, 1, u32, b.name("ctx"), ptr);
        int func = b.type("main", Kind.FUNC, 1, proto);
        int var = b.type("counter", Kind.VAR, 0, typedef, 1);
        int datasec = b.type(".data", Kind.DATASEC, 1, 8, var, 0, 8);
        int floatT = b.type("double", Kind.FLOAT, 0, 8);
        int declTag = b.type("tag", Kind.DECL_TAG, 0, struct, -1);
        int enum64 = b.type("big", Kind.ENUM64, 1, 8, b.name("HUGE"), 1, 2);
        BtfTypes btf = BtfTypes.parse(b.build(), "t.o");

        assertEquals(20, btf.count());
        assertEquals(Kind.INT, btf.kind(u32));
        assertEquals("unsigned int", btf.name(u32));
        assertEquals(8, btf.sizeOf(ptr));
        assertEquals(40, btf.sizeOf(array));
        assertEquals(new BtfTypes.ArrayInfo(u64, u32, 5), btf.array(array));
        assertEquals(8, btf.sizeOf(typeTag));
        assertEquals(u64, btf.skipModifiers(typeTag));
        assertEquals(ptr, btf.skipModifiers(restrict));
        assertEquals(16, btf.sizeOf(struct));
        assertEquals(List.of(new BtfTypes.Member("a", u64, 0), new BtfTypes.Member("b", array, 64)), btf.members(struct));
        assertEquals(8, btf.sizeOf(union));
        assertEquals(2, btf.members(union).size());
        assertEquals(4, btf.sizeOf(enumT));
        assertEquals(Kind.FWD, btf.kind(fwd));
        assertEquals(Kind.FUNC_PROTO, btf.kind(proto));
        assertEquals(proto, btf.referencedType(func));
        assertEquals(8, btf.sizeOf(var));
        assertEquals(datasec, btf.findDatasec(".data"));
        assertEquals(0, btf.findDatasec(".maps"));
        assertEquals(List.of(new BtfTypes.DatasecEntry(var, 0, 8)), btf.datasecEntries(datasec));
        assertEquals(8, btf.sizeOf(floatT));
        assertEquals(struct, btf.referencedType(declTag));
        assertEquals(8, btf.sizeOf(enum64));
    }

    @Test
    void bitfieldMembersGiveTheirBitOffsetAndWidth() {
        Builder b = new Builder();
        int u32 = b.type("u32", Kind.INT, 0, 4, 32);
        // kind_flag set: the member offset word holds (bitfield size << 24) | bit offset.
        b.word(b.name("flags"));
        b.word((1 << 31) | (Kind.STRUCT.ordinal() << 24) | 1);
        b.word(4);
        b.word(b.name("low"));
        b.word(u32);
        b.word((3 << 24) | 5);
        BtfTypes btf = BtfTypes.parse(b.build(), "t.o");
        assertEquals(List.of(new BtfTypes.Member("low", u32, 5, 3)), btf.members(2));
    }

    @Test
    void mapsOfARealObjectAreDescribed() {
        byte[] object = ExampleObjects.bytes("counters.o");
        ElfFile elf = ElfFile.read(object, "counters.o");
        BtfTypes btf = BtfTypes.parse(elf.contents(elf.section(".BTF")), "counters.o");
        int maps = btf.findDatasec(".maps");
        assertTrue(maps > 0);
        List<String> names = btf.datasecEntries(maps).stream().map(e -> btf.name(e.type())).toList();
        assertEquals(List.of("packet_counts", "length_counts"), names);
        int struct = btf.skipModifiers(btf.referencedType(btf.datasecEntries(maps).get(0).type()));
        assertEquals(List.of("type", "key", "value", "max_entries"), btf.members(struct).stream().map(BtfTypes.Member::name).toList());
    }

    @Test
    void typeCyclesAreReportedNotFollowedForever() {
        Builder b = new Builder();
        b.type("loop", Kind.TYPEDEF, 0, 2);
        b.type("back", Kind.CONST, 0, 1);
        BtfTypes btf = BtfTypes.parse(b.build(), "t.o");
        BpfError error = assertThrows(BpfError.class, () -> btf.sizeOf(1));
        assertEquals("t.o: bad .BTF: type 1: type chain is too deep (a cycle?)", error.getMessage());
        assertThrows(BpfError.class, () -> btf.skipModifiers(1));
    }

    @Test
    void referenceToAMissingType() {
        Builder b = new Builder();
        b.type("p", Kind.PTR, 0, 7);
        BtfTypes btf = BtfTypes.parse(b.build(), "t.o");
        BpfError error = assertThrows(BpfError.class, () -> btf.referencedType(1));
        assertEquals("t.o: bad .BTF: type 1 refers to type 7, which does not exist (1 types)", error.getMessage());
    }

    @Test
    void unknownKind() {
        Builder b = new Builder();
        b.word(0);
        b.word(25 << 24);
        b.word(0);
        BpfError error = assertThrows(BpfError.class, () -> BtfTypes.parse(b.build(), "t.o"));
        assertEquals("t.o: bad .BTF: type 1 has unknown kind 25", error.getMessage());
    }

    @Test
    void truncatedRecord() {
        Builder b = new Builder();
        b.type("s", Kind.STRUCT, 3, 12);
        BpfError error = assertThrows(BpfError.class, () -> BtfTypes.parse(b.build(), "t.o"));
        assertEquals("t.o: bad .BTF: type 1 (STRUCT) runs past the end of the type section", error.getMessage());
    }

    @Test
    void badHeader() {
        byte[] bytes = new Builder().build();
        bytes[2] = 2;
        assertEquals("t.o: bad .BTF: unsupported version 2", assertThrows(BpfError.class, () -> BtfTypes.parse(bytes, "t.o")).getMessage());
        assertEquals("t.o: bad .BTF: section is 10 bytes, shorter than its header",
                        assertThrows(BpfError.class, () -> BtfTypes.parse(new byte[10], "t.o")).getMessage());
        byte[] outside = new Builder().build();
        ByteBuffer.wrap(outside).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 1000);
        assertEquals("t.o: bad .BTF: type or string section lies outside the 25-byte section",
                        assertThrows(BpfError.class, () -> BtfTypes.parse(outside, "t.o")).getMessage());
    }

    @Test
    void nameOutsideTheStrings() {
        Builder b = new Builder();
        b.word(500);
        b.word(Kind.FWD.ordinal() << 24);
        b.word(0);
        assertEquals("t.o: bad .BTF: type 1 has name offset 500 outside the string section",
                        assertThrows(BpfError.class, () -> BtfTypes.parse(b.build(), "t.o")).getMessage());
    }
}
