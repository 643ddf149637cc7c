package org.trufflebpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.elf.ElfFile.Section;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.RefusedProgram;

/**
 * Each kind of bad object gives one line naming the file and what is wrong: the whole object's load fails when
 * its structure is bad; when one program cannot be linked, that program is refused with the reason and its
 * siblings still load.
 */
class ElfBadInputTest {
    static final String FILE = "t.o";

    @Test
    void emptyInputIsNotElf() {
        assertRejected(new byte[0], "t.o: not an ELF file (bad magic number)");
    }

    @Test
    void truncatedHeader() {
        assertRejected(Arrays.copyOf(example("counters.o"), 40), "t.o: truncated ELF header: 40 bytes, need 64");
    }

    @Test
    void wrongClass() {
        byte[] bytes = example("counters.o");
        bytes[4] = 1;
        assertRejected(bytes, "t.o: not a 64-bit ELF file (class 1); BPF objects are ELF64");
    }

    @Test
    void wrongEndianness() {
        byte[] bytes = example("counters.o");
        bytes[5] = 2;
        assertRejected(bytes, "t.o: not a little-endian ELF file (data encoding 2); only little-endian BPF is supported");
    }

    @Test
    void wrongMachine() {
        byte[] bytes = example("counters.o");
        le(bytes).putShort(18, (short) 62);
        assertRejected(bytes, "t.o: ELF machine is 62, not BPF (247) or none (0, old LLVM)");
    }

    @Test
    void notRelocatable() {
        byte[] bytes = example("counters.o");
        le(bytes).putShort(16, (short) 2);
        assertRejected(bytes, "t.o: ELF type is 2, not a relocatable object (1)");
    }

    @Test
    void truncatedFileLosesItsSectionHeaders() {
        byte[] original = example("counters.o");
        long tableOffset = le(original).getLong(40);
        byte[] bytes = Arrays.copyOf(original, original.length / 2);
        assertRejected(bytes, "t.o: section header table (offset " + tableOffset + ", 27 entries) lies outside the file (" + bytes.length + " bytes)");
    }

    @Test
    void sectionOffsetOutsideTheFile() {
        byte[] bytes = example("counters.o");
        Section socket = section(bytes, "socket");
        le(bytes).putLong(sectionHeader(bytes, socket.index()) + 24, 0x100000);
        assertRejected(bytes, "t.o: section " + socket.index() + " (offset 1048576, size 272) lies outside the file (" + bytes.length + " bytes)");
    }

    @Test
    void codeSectionSizeNotAMultipleOfEight() {
        byte[] bytes = example("counters.o");
        Section socket = section(bytes, "socket");
        le(bytes).putLong(sectionHeader(bytes, socket.index()) + 32, 271);
        assertRejected(bytes, "t.o: code section 'socket' is 271 bytes, not a whole number of instructions");
    }

    @Test
    void relocationOutsideItsSection() {
        byte[] bytes = example("counters.o");
        le(bytes).putLong(relocation(bytes, "socket", 0), 0x1000);
        assertRejected(bytes, "t.o: relocation 0 of '.relsocket' at offset 4096 lies outside section 'socket' (272 bytes)");
    }

    @Test
    void relocationAtBadSymbol() {
        byte[] bytes = example("counters.o");
        int entry = relocation(bytes, "socket", 0);
        le(bytes).putInt(entry + 12, 999);
        int symbols = ElfFile.read(example("counters.o"), FILE).symbols().size();
        assertRejected(bytes, "t.o: relocation 0 of '.relsocket' refers to symbol 999, but there are only " + symbols);
    }

    @Test
    void unknownRelocationType() {
        byte[] bytes = example("counters.o");
        le(bytes).putInt(relocation(bytes, "socket", 0) + 8, 77);
        assertRejected(bytes, "t.o: relocation 0 of '.relsocket' has unknown type 77");
    }

    @Test
    void relocationOnAnInstructionThatIsNotLddwOrCall() {
        byte[] bytes = example("counters.o");
        le(bytes).putLong(relocation(bytes, "socket", 0), 8);
        assertProgramRefused(bytes, "count_packets", "t.o: function 'count_packets': insn 1 'stxw [%r10-4], %r1': relocation against 'packet_counts'"
                        + " applies to an instruction that is neither lddw nor call", "count_lengths");
    }

    @Test
    void relocationInsideAnLddw() {
        byte[] bytes = example("counters.o");
        le(bytes).putLong(relocation(bytes, "socket", 0), 0x28); // the second slot of the lddw at insn 4
        assertProgramRefused(bytes, "count_packets", "t.o: function 'count_packets': a relocation in section 'socket' does not start an instruction"
                        + " (program 'count_packets')", "count_lengths");
    }

    @Test
    void undefinedSymbol() {
        byte[] bytes = example("global_data.o");
        le(bytes).putShort(symbol(bytes, "calls") + 6, (short) 0);
        assertProgramRefused(bytes, "use_globals", "t.o: function 'use_globals': insn 1 'lddw %r2, 0x0': refers to undefined symbol 'calls'"
                        + " (extern variables, ksyms and kfuncs are not supported)");
    }

    @Test
    void btfThatDoesNotParse() {
        byte[] bytes = example("counters.o");
        Section btf = section(bytes, ".BTF");
        le(bytes).putShort((int) btf.offset(), (short) 0x1234);
        assertRejected(bytes, "t.o: bad .BTF: bad magic 0x1234 (expected 0xeb9f, little-endian)");
    }

    @Test
    void btfTypeSectionRunningPastItsEnd() {
        byte[] bytes = example("counters.o");
        Section btf = section(bytes, ".BTF");
        // type_len 13: the first type's 12-byte header fits, its INT data does not.
        le(bytes).putInt((int) btf.offset() + 12, 13);
        assertRejected(bytes, "t.o: bad .BTF: type 1 (PTR) runs past the end of the type section", "t.o: bad .BTF: type 2 is truncated");
    }

    @Test
    void legacyMapWithZeroValueSize() {
        byte[] bytes = example("legacy_maps.o");
        le(bytes).putInt((int) section(bytes, "maps").offset() + 8, 0);
        assertRejected(bytes, "t.o: map 'legacy_counts': value size must be positive");
    }

    @Test
    void legacyMapOfUnsupportedType() {
        byte[] bytes = example("legacy_maps.o");
        le(bytes).putInt((int) section(bytes, "maps").offset() + 20, 22);
        assertProgramRefused(bytes, "legacy_count", "t.o: function 'legacy_count': insn 21 'lddw %r1, 0x0': uses map 'legacy_hash' of type queue"
                        + " (BPF_MAP_TYPE_QUEUE), which TruffleBPF does not support");
        assertEquals(List.of("legacy_counts"), ElfLoader.load(bytes, FILE).maps().stream().map(m -> m.name()).toList(), "only the supported map is created");
    }

    @Test
    void programThatDoesNotDecode() {
        byte[] bytes = example("counters.o");
        // insn 2 of count_packets, 'mov %r2, %r10', gets an opcode no instruction has.
        bytes[(int) section(bytes, "socket").offset() + 16] = (byte) 0xff;
        BpfError error = assertProgramRefused(bytes, "count_packets", null, "count_lengths");
        assertEquals("count_packets", error.function());
        assertEquals(2, error.instructionIndex());
        assertTrue(error.getMessage().startsWith("t.o: function 'count_packets': insn 2 "), error.getMessage());
    }

    @Test
    void callIntoTheMiddleOfAFunction() {
        byte[] bytes = example("bpf2bpf.o");
        // socket_main's 'call 9' (.text+0x50, triple) now aims at .text+0x48, inside square.
        le(bytes).putInt((int) section(bytes, "socket").offset() + 8 + 4, 8);
        assertProgramRefused(bytes, "socket_main", "t.o: function 'socket_main': insn 1 'call local +8': call target (offset 72 of section '.text')"
                        + " is not the start of a function", "tc_main");
    }

    @Test
    void progArraySlotThatIsNotAProgram() {
        byte[] bytes = example("tail_calls.o");
        int entry = relocation(bytes, ".maps", 0);
        le(bytes).putInt(entry + 12, symbolIndex(bytes, "jump_table"));
        assertRejected(bytes, "t.o: map 'jump_table': slot 0 refers to 'jump_table', which is not a program");
    }

    @Test
    void staticFunctionInAProgramSection() {
        byte[] bytes = example("counters.o");
        int symbol = symbol(bytes, "count_lengths");
        bytes[symbol + 4] = (byte) ((ElfFile.STB_LOCAL << 4) | ElfFile.STT_FUNC);
        assertRejected(bytes, "t.o: function 'count_lengths' in program section 'socket' is static; programs must be global, subprograms belong in .text");
    }

    /**
     * The object loads; {@code program} is refused with {@code expected} (when not null) and only the
     * {@code siblings} load. Returns the refusal.
     */
    private static BpfError assertProgramRefused(byte[] bytes, String program, String expected, String... siblings) {
        BpfObject object = ElfLoader.load(bytes, FILE);
        assertEquals(List.of(siblings), object.programs().stream().map(Program::name).toList(), "the programs that still load");
        assertEquals(List.of(program), object.refused().stream().map(RefusedProgram::name).toList(), "the programs refused");
        BpfError error = object.refused().get(0).reason();
        assertEquals(BpfError.Kind.LOAD, error.kind());
        if (expected != null) {
            assertEquals(expected, error.getMessage());
        }
        return error;
    }

    private static void assertRejected(byte[] bytes, String... expectedMessages) {
        BpfError error = assertThrows(BpfError.class, () -> ElfLoader.load(bytes, FILE));
        assertEquals(BpfError.Kind.LOAD, error.kind());
        assertTrue(List.of(expectedMessages).contains(error.getMessage()), "got: " + error.getMessage());
    }

    static byte[] example(String name) {
        return ExampleObjects.bytes(name);
    }

    static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static Section section(byte[] bytes, String name) {
        return ElfFile.read(bytes, FILE).section(name);
    }

    static int sectionHeader(byte[] bytes, int index) {
        return (int) (le(bytes).getLong(40) + 64L * index);
    }

    /** File offset of relocation {@code i} applying to a section. */
    static int relocation(byte[] bytes, String target, int i) {
        ElfFile elf = ElfFile.read(bytes, FILE);
        int targetIndex = elf.section(target).index();
        for (Section section : elf.sections()) {
            if (section.type() == ElfFile.SHT_REL && section.info() == targetIndex) {
                return (int) (section.offset() + 16L * i);
            }
        }
        throw new IllegalArgumentException("no relocations for " + target);
    }

    static int symbolIndex(byte[] bytes, String name) {
        for (ElfFile.Symbol symbol : ElfFile.read(bytes, FILE).symbols()) {
            if (symbol.name().equals(name)) {
                return symbol.index();
            }
        }
        throw new IllegalArgumentException("no symbol " + name);
    }

    /** File offset of a symbol's table entry. */
    static int symbol(byte[] bytes, String name) {
        ElfFile elf = ElfFile.read(bytes, FILE);
        for (Section section : elf.sections()) {
            if (section.type() == ElfFile.SHT_SYMTAB) {
                return (int) (section.offset() + 24L * symbolIndex(bytes, name));
            }
        }
        throw new IllegalArgumentException("no symbol table");
    }
}
