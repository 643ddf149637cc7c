package org.trufflebpf.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;

/**
 * Loads the example objects and checks what the loader made of them against facts read from
 * {@code llvm-objdump -d -r} and {@code llvm-readelf} of the committed objects (written down here, not
 * computed at test time).
 */
class ElfLoaderTest {

    static Stream<String> examples() {
        return ExampleObjects.all().stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleObjectLoadsWithProgramsAndLicense(String relative) {
        BpfObject object = load(relative);
        assertFalse(object.programs().isEmpty(), relative + " has no programs");
        assertNotNull(object.license(), relative + " has no license");
        for (Program program : object.programs()) {
            assertEquals(program.name(), program.symbols().get(0), "entry symbol of " + program.name());
            assertTrue(program.slotCount() > 0);
            assertEquals(object.maps(), program.maps());
        }
    }

    @Test
    void countersSplitsOneSectionIntoTwoProgramsWithBtfMaps() {
        BpfObject object = load("counters.o");
        assertEquals("GPL", object.license());
        assertEquals(List.of("count_packets", "count_lengths"), names(object));
        Program packets = object.programs().get(0);
        Program lengths = object.programs().get(1);
        assertEquals("socket", packets.section());
        assertEquals(ProgramType.SOCKET_FILTER, packets.type());
        assertEquals(12, packets.slotCount());
        assertEquals(22, lengths.slotCount());
        assertMap(object.maps().get(0), "packet_counts", MapType.ARRAY, 4, 8, 4, 0);
        assertMap(object.maps().get(1), "length_counts", MapType.HASH, 4, 8, 1024, 1 /* BPF_F_NO_PREALLOC */);
        assertMapReference(packets, 4, 0);
        assertMapReference(lengths, 6, 1);
        assertMapReference(lengths, 16, 1);
        // count_lengths starts at offset 0x60 of its section; its branches stay relative to its own start.
        assertEquals(Opcodes.JA, at(lengths, 11).opcode());
        assertEquals(20, at(lengths, 11).branchTarget());
    }

    @Test
    void sectionWithoutFunctionSymbolsIsOneProgramNamedAfterIt() {
        byte[] bytes = ExampleObjects.bytes("counters.o");
        // Make count_packets and count_lengths plain (NOTYPE) symbols, as hand-written assembly may leave them.
        for (String name : List.of("count_packets", "count_lengths")) {
            int entry = ElfBadInputTest.symbol(bytes, name);
            bytes[entry + 4] = (byte) (ElfFile.STB_GLOBAL << 4);
        }
        BpfObject object = ElfLoader.load(bytes, "counters.o");
        assertEquals(List.of("socket"), names(object));
        Program program = object.programs().get(0);
        assertEquals(34, program.slotCount());
        assertEquals(Map.of(0, "socket"), program.symbols());
        assertMapReference(program, 4, 0);
        assertMapReference(program, 18, 1);
        assertMapReference(program, 28, 1);
    }

    @Test
    void xdpParserHasItsContextTypeAndMap() {
        BpfObject object = load("xdp_parser.o");
        assertEquals("Dual BSD/GPL", object.license());
        Program program = object.findProgram("xdp");
        assertEquals("xdp_parse", program.name());
        assertEquals(ProgramType.XDP, program.type());
        assertEquals(47, program.slotCount());
        assertMap(object.maps().get(0), "proto_counts", MapType.ARRAY, 4, 8, 256, 0);
        assertMapReference(program, 20, 0);
        assertEquals(Map.of(0, "xdp_parse"), program.symbols());
    }

    @Test
    void bpfToBpfCallsAppendUsedTextFunctionsAndFixTheirOffsets() {
        BpfObject object = load("bpf2bpf.o");
        Program tc = object.findProgram("tc_main");
        assertEquals(ProgramType.SCHED_CLS, tc.type());
        // tc_main (4 insns), then sum_of_squares (7, .text+0), then square (3, .text+0x38) which it calls.
        assertEquals(14, tc.slotCount());
        assertEquals(Map.of(0, "tc_main", 4, "sum_of_squares", 11, "square"), tc.symbols());
        assertCall(tc, 2, 4);
        assertCall(tc, 5, 11);
        assertCall(tc, 8, 11);
        // The .text code is copied unchanged apart from call imms.
        assertEquals(Instruction.of(0x2f, 0, 0, 0, 0).at(12), at(tc, 12));

        Program socket = object.findProgram("socket_main");
        assertEquals(ProgramType.SOCKET_FILTER, socket.type());
        // socket_main (7), triple (.text+0x50, reached first), square (.text+0x38); sum_of_squares is not used.
        assertEquals(13, socket.slotCount());
        assertEquals(Map.of(0, "socket_main", 7, "triple", 10, "square"), socket.symbols());
        assertCall(socket, 1, 7);
        assertCall(socket, 4, 10);
    }

    @Test
    void subprogramsAreAppendedDepthFirstAsLibbpfDoes() {
        Program program = load("call_order.o").findProgram("order_main");
        assertEquals(ProgramType.SCHED_CLS, program.type());
        // order_main (8) calls first_a (.text+0), whose call without relocation reaches leaf_c (.text+0x30);
        // only then is second_b (.text+0x18), order_main's second callee, appended.
        assertEquals(Map.of(0, "order_main", 8, "first_a", 11, "leaf_c", 14, "second_b"), program.symbols());
        assertEquals(17, program.slotCount());
        assertCall(program, 2, 8);
        assertCall(program, 5, 14);
        assertCall(program, 8, 11);
    }

    @Test
    void callsAcrossProgramSectionsAndFunctionAddressesAreLinked() {
        BpfObject object = load("cross_section.o");
        assertEquals(List.of("socket_len", "tc_twice", "loop_sum"), names(object));
        assertEquals(3, object.findProgram("socket_len").slotCount());
        // tc_twice (3 insns) calls socket_len, a program of section socket, which is appended after it.
        Program twice = object.findProgram("tc_twice");
        assertEquals(6, twice.slotCount());
        assertEquals(Map.of(0, "tc_twice", 3, "socket_len"), twice.symbols());
        assertCall(twice, 0, 3);
        // loop_sum (14 insns) takes the address of add_index (.text+0) for bpf_loop: lddw src=PSEUDO_FUNC.
        Program loop = object.findProgram("loop_sum");
        assertEquals(ProgramType.XDP, loop.type());
        assertEquals(21, loop.slotCount());
        assertEquals(Map.of(0, "loop_sum", 14, "add_index"), loop.symbols());
        Instruction address = at(loop, 5);
        assertEquals(Opcodes.PSEUDO_FUNC, address.src());
        assertEquals(14, address.localCallTarget());
        assertEquals(0, address.imm2());
        assertTrue(ProgramListing.disassemble(loop).contains("lddw %r2, func:+8    ; add_index"));
    }

    @Test
    void globalDataSectionsBecomeArrayMapsReachedWithOffsets() {
        BpfObject object = load("global_data.o");
        List<MapDefinition> maps = object.maps();
        assertEquals(List.of(".bss", ".data", ".rodata", ".rodata.str1.1"), maps.stream().map(MapDefinition::name).toList());
        for (MapDefinition map : maps) {
            assertTrue(map.isGlobalData());
            assertEquals(MapType.ARRAY, map.type());
            assertEquals(4, map.keySize());
            assertEquals(1, map.maxEntries());
        }
        assertArrayEquals(new byte[16], maps.get(0).initialValue());
        assertFalse(maps.get(0).readOnly());
        ByteBuffer data = ByteBuffer.wrap(maps.get(1).initialValue()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24, data.capacity());
        // multiplier = 3 at 0; offsets = {1, 2, 3, 4} at 4; clang keeps only hidden[1] = 7 (as hidden.0) at 20.
        assertEquals(List.of(3, 1, 2, 3, 4, 7), List.of(data.getInt(0), data.getInt(4), data.getInt(8), data.getInt(12), data.getInt(16), data.getInt(20)));
        ByteBuffer rodata = ByteBuffer.wrap(maps.get(2).initialValue()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(100, rodata.getInt(0));
        assertEquals(List.of(10L, 20L, 30L), List.of(rodata.getLong(8), rodata.getLong(16), rodata.getLong(24)));
        assertTrue(maps.get(2).readOnly());
        assertArrayEquals(new byte[]{'b', 'p', 'f', 0}, maps.get(3).initialValue());
        assertTrue(maps.get(3).readOnly());

        Program program = object.findProgram("use_globals");
        assertEquals(55, program.slotCount());
        assertEquals(Map.of(0, "use_globals", 46, "letter_at"), program.symbols());
        assertMapValue(program, 1, 0, 0); // calls
        assertMapValue(program, 9, 1, 4); // offsets
        assertMapValue(program, 12, 1, 0); // multiplier
        assertMapValue(program, 20, 0, 8); // total
        assertMapValue(program, 25, 2, 0); // limit
        assertMapValue(program, 29, 2, 8); // table
        assertMapValue(program, 33, 1, 20); // hidden[1]: section symbol .data plus the addend 20 held in the instruction
        assertMapValue(program, 48, 3, 0); // "bpf" in .rodata.str1.1, from letter_at in .text
        assertCall(program, 39, 46);
    }

    @Test
    void globalVariablesAreFoundByNameInTheirMaps() {
        List<GlobalVariable> variables = ElfLoader.globalVariables(ExampleObjects.bytes("global_data.o"), "global_data.o");
        // From llvm-readelf -s: OBJECT symbols in .bss (map 0), .data (map 1) and .rodata (map 2).
        assertEquals(List.of(new GlobalVariable("hidden.0", 1, ".data", 20, 4), new GlobalVariable("calls", 0, ".bss", 0, 8),
                        new GlobalVariable("offsets", 1, ".data", 4, 16), new GlobalVariable("multiplier", 1, ".data", 0, 4),
                        new GlobalVariable("total", 0, ".bss", 8, 8), new GlobalVariable("limit", 2, ".rodata", 0, 4),
                        new GlobalVariable("table", 2, ".rodata", 8, 24)), variables);
    }

    @Test
    void legacyMapsSectionIsReadAsBpfMapDef() {
        BpfObject object = load("legacy_maps.o");
        assertMap(object.maps().get(0), "legacy_counts", MapType.ARRAY, 4, 8, 8, 0);
        assertMap(object.maps().get(1), "legacy_hash", MapType.HASH, 8, 4, 64, 1);
        Program program = object.programs().get(0);
        assertEquals(27, program.slotCount());
        assertMapReference(program, 6, 0);
        assertMapReference(program, 21, 1);
    }

    @Test
    void progArrayInitialisedInTheObjectNamesItsPrograms() {
        BpfObject object = load("tail_calls.o");
        assertEquals(List.of("stage_one", "stage_two", "entry"), names(object));
        MapDefinition table = object.maps().get(0);
        assertMap(table, "jump_table", MapType.PROG_ARRAY, 4, 4, 3, 0);
        assertEquals(Map.of(0, "stage_one", 2, "stage_two"), table.initialPrograms());
        assertNull(table.initialValue());
        Program entry = object.findProgram("entry");
        assertEquals(12, entry.slotCount());
        assertMapReference(entry, 1, 0);
        assertMapReference(entry, 6, 0);
        assertTrue(at(entry, 4).isHelperCall());
        assertEquals(12, at(entry, 4).imm());
    }

    @Test
    void listingShowsLabelsMapNamesAndCallees() {
        String text = ProgramListing.disassemble(load("global_data.o").findProgram("use_globals"));
        assertTrue(text.startsWith("use_globals:\n"), text);
        assertTrue(text.contains("\nletter_at:\n"), text);
        assertTrue(text.contains("lddw %r2, map_value:.data+20"), text);
        assertTrue(text.contains("call local +6    ; letter_at"), text);
        String summary = ProgramListing.summary(load("counters.o"));
        assertTrue(summary.contains("packet_counts"), summary);
        assertTrue(summary.contains("count_lengths"), summary);
    }

    static BpfObject load(String relative) {
        return ElfLoader.load(ExampleObjects.bytes(relative), relative);
    }

    private static List<String> names(BpfObject object) {
        return object.programs().stream().map(Program::name).toList();
    }

    static Instruction at(Program program, int slot) {
        int position = program.positionOf(slot);
        assertTrue(position >= 0, "no instruction at slot " + slot + " of " + program.name());
        return program.code().get(position);
    }

    private static void assertMap(MapDefinition map, String name, MapType type, int keySize, int valueSize, int maxEntries, int flags) {
        assertEquals(name, map.name());
        assertEquals(type, map.type(), name);
        assertEquals(keySize, map.keySize(), name + " key size");
        assertEquals(valueSize, map.valueSize(), name + " value size");
        assertEquals(maxEntries, map.maxEntries(), name + " max entries");
        assertEquals(flags, map.flags(), name + " flags");
        assertFalse(map.isGlobalData());
    }

    private static void assertMapReference(Program program, int slot, int mapIndex) {
        Instruction insn = at(program, slot);
        assertEquals(Opcodes.LDDW, insn.opcode());
        assertEquals(Opcodes.PSEUDO_MAP_FD, insn.src());
        assertEquals(mapIndex, insn.imm());
        assertEquals(0, insn.imm2());
    }

    private static void assertMapValue(Program program, int slot, int mapIndex, int offset) {
        Instruction insn = at(program, slot);
        assertEquals(Opcodes.LDDW, insn.opcode(), insn.toString());
        assertEquals(Opcodes.PSEUDO_MAP_VALUE, insn.src(), insn.toString());
        assertEquals(mapIndex, insn.imm(), insn.toString());
        assertEquals(offset, insn.imm2(), insn.toString());
    }

    private static void assertCall(Program program, int slot, int target) {
        Instruction insn = at(program, slot);
        assertTrue(insn.isLocalCall(), insn.toString());
        assertEquals(target, insn.localCallTarget(), insn.toString());
    }
}
