package org.trufflebpf.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.trufflebpf.elf.ElfFile.Section;
import org.trufflebpf.elf.ElfFile.Symbol;
import org.trufflebpf.model.BpfError;

/**
 * Makes an object's {@code .BTF} loadable into the kernel as libbpf does before {@code BPF_BTF_LOAD}: clang
 * leaves each DATASEC's size and its global variables' offsets 0 in an object (they are known after linking),
 * and the kernel refuses a data section of size 0 and variables out of offset order. Each DATASEC of size 0 gets
 * its ELF section's size, each non-static variable in it its symbol's offset, and the variables are sorted by
 * offset. Static variables already hold their offset (clang writes it in place).
 */
final class BtfDatasecLayout {
    private static final int VAR_LINKAGE_STATIC = 0;
    private static final int SECINFO_BYTES = 12;

    private BtfDatasecLayout() {
    }

    /**
     * The section's bytes with data-section layouts filled in. Best effort: a layout that cannot be worked out
     * is left as it was and the kernel's own check of the BTF says what is wrong (the kernel engine then
     * creates maps without types).
     */
    static byte[] fill(ElfFile elf, byte[] section, BtfTypes btf) {
        byte[] out = section.clone();
        ByteBuffer data = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int id = 1; id <= btf.count(); id++) {
            if (btf.kind(id) != BtfTypes.Kind.DATASEC) {
                continue;
            }
            try {
                fillOne(elf, btf, data, id);
            } catch (BpfError e) {
                // A broken entry: leave this DATASEC to the kernel's verdict.
            }
        }
        return out;
    }

    private static void fillOne(ElfFile elf, BtfTypes btf, ByteBuffer data, int datasec) {
        int record = btf.recordOffset(datasec);
        Section elfSection = elf.section(btf.name(datasec));
        boolean placeVariables = false;
        if (data.getInt(record + 8) == 0 && elfSection != null) {
            data.putInt(record + 8, (int) elfSection.size());
            placeVariables = true;
        }
        List<int[]> entries = new ArrayList<>();
        for (BtfTypes.DatasecEntry entry : btf.datasecEntries(datasec)) {
            int offset = (int) entry.offset();
            if (placeVariables && btf.kind(entry.type()) == BtfTypes.Kind.VAR && linkage(btf, data, entry.type()) != VAR_LINKAGE_STATIC) {
                Symbol symbol = symbolIn(elf, elfSection, btf.name(entry.type()));
                if (symbol != null) {
                    offset = (int) symbol.value();
                }
            }
            entries.add(new int[] {entry.type(), offset, (int) entry.size()});
        }
        entries.sort(Comparator.comparingLong(entry -> Integer.toUnsignedLong(entry[1])));
        int at = record + BtfTypes.TYPE_HEADER_SIZE;
        for (int[] entry : entries) {
            data.putInt(at, entry[0]);
            data.putInt(at + 4, entry[1]);
            data.putInt(at + 8, entry[2]);
            at += SECINFO_BYTES;
        }
    }

    /** A VAR's linkage: the int after its type header. */
    private static int linkage(BtfTypes btf, ByteBuffer data, int var) {
        return data.getInt(btf.recordOffset(var) + BtfTypes.TYPE_HEADER_SIZE);
    }

    private static Symbol symbolIn(ElfFile elf, Section section, String name) {
        for (Symbol symbol : elf.symbols()) {
            if (symbol.sectionIndex() == section.index() && !symbol.isSection() && symbol.name().equals(name)) {
                return symbol;
            }
        }
        return null;
    }
}
