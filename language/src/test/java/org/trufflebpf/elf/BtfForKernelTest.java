package org.trufflebpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.ObjectBtf;

/**
 * The BTF an object hands the kernel engine: data sections laid out as libbpf lays them out before
 * BPF_BTF_LOAD (sizes and variable offsets from {@code llvm-readelf -S -s} of the committed objects, written down
 * here), and each map's key and value types.
 */
class BtfForKernelTest {
    private static BtfTypes typesOf(BpfObject object) {
        return BtfTypes.parse(object.btf().data(), "test");
    }

    /** "name@offset+size" of a DATASEC's variables, in order. */
    private static List<String> variables(BtfTypes btf, String section) {
        int datasec = btf.findDatasec(section);
        return btf.datasecEntries(datasec).stream().map(e -> btf.name(e.type()) + "@" + e.offset() + "+" + e.size()).toList();
    }

    @Test
    void dataSectionsGetTheirElfSizesAndVariablesTheirSymbolOffsetsInOrder() {
        BtfTypes btf = typesOf(ElfLoaderTest.load("global_data.o"));
        // .bss 0x10: calls at 0, total at 8; .data 0x18: multiplier 0, offsets 4, the static hidden (clang names
        // it hidden.0) at 0x14, in place already; .rodata 0x20: limit 0, table 8.
        assertEquals(0x10, btf.declaredSize(btf.findDatasec(".bss")));
        assertEquals(List.of("calls@0+8", "total@8+8"), variables(btf, ".bss"));
        assertEquals(0x18, btf.declaredSize(btf.findDatasec(".data")));
        assertEquals(List.of("multiplier@0+4", "offsets@4+16", "hidden.0@20+4"), variables(btf, ".data"));
        assertEquals(0x20, btf.declaredSize(btf.findDatasec(".rodata")));
        assertEquals(List.of("limit@0+4", "table@8+24"), variables(btf, ".rodata"));
    }

    @Test
    void mapsDeclaredWithTypesNameThemAndGlobalDataNamesItsSection() {
        BpfObject parser = ElfLoaderTest.load("xdp_parser.o");
        BtfTypes btf = typesOf(parser);
        ObjectBtf.MapTypes counts = parser.btf().typesOf(0);
        assertEquals("proto_counts", parser.maps().get(0).name());
        assertEquals("__u32", btf.name(counts.key()));
        assertEquals("__u64", btf.name(counts.value()));

        BpfObject globals = ElfLoaderTest.load("global_data.o");
        BtfTypes globalTypes = typesOf(globals);
        for (int i = 0; i < globals.maps().size(); i++) {
            String name = globals.maps().get(i).name();
            ObjectBtf.MapTypes types = globals.btf().typesOf(i);
            assertEquals(0, types.key(), name);
            // .rodata.str1.1 holds only a string literal: no DATASEC, no types.
            assertEquals(name.equals(".rodata.str1.1") ? 0 : globalTypes.findDatasec(name), types.value(), name);
        }

        // Sizes given with __uint, and a prog array's values: no types.
        BpfObject tailCalls = ElfLoaderTest.load("tail_calls.o");
        assertEquals(ObjectBtf.MapTypes.NONE, tailCalls.btf().typesOf(0));
    }

    @Test
    void legacyMapsHaveNoTypesAndAssemblyHasNoBtf() {
        BpfObject legacy = ElfLoaderTest.load("legacy_maps.o");
        assertNotNull(legacy.btf(), "clang -g writes .BTF even for legacy maps");
        assertEquals(ObjectBtf.MapTypes.NONE, legacy.btf().typesOf(0));
        assertNull(Assembler.assemble("mov %r0, 0\nexit\n", "x.s").btf());
    }
}
