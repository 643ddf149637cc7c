package org.trufflebpf.asm;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionText;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;

/**
 * Lists a whole object as assembly that the {@link Assembler} reads back: its maps as {@code .map} and
 * {@code .slot} directives, each program under {@code .program}, labels where symbols are known (quoted when
 * they are not identifiers, {@link QuotedNames}), and each instruction's slot index in a comment.
 */
public final class ObjectListing {
    private ObjectListing() {
    }

    public static String list(BpfObject object) {
        StringBuilder sb = new StringBuilder();
        for (MapDefinition map : object.maps()) {
            if (map.isGlobalData()) {
                boolean zero = true;
                for (byte b : map.initialValue()) {
                    zero &= b == 0;
                }
                sb.append(".global ").append(map.name()).append(map.readOnly() ? " readonly " : " ")
                                .append(zero ? "size=" + map.valueSize() : "hex=" + HexFormat.of().formatHex(map.initialValue())).append('\n');
                continue;
            }
            MapDefinition inner = map.inner();
            String template = inner == null ? "" : String.format(" inner=%s/%d/%d/%d/%d", inner.type().name().toLowerCase(Locale.ROOT), inner.keySize(),
                            inner.valueSize(), inner.maxEntries(), inner.flags());
            sb.append(String.format(".map %s %s key=%d value=%d entries=%d%s%s%n", map.name(), map.type().name().toLowerCase(Locale.ROOT),
                            map.keySize(), map.valueSize(), map.maxEntries(), map.flags() != 0 ? " flags=" + map.flags() : "", template));
            // In slot order: the map keeps no order of its own, and a listing must read the same every time.
            for (Map.Entry<Integer, String> slot : new TreeMap<>(map.initialPrograms()).entrySet()) {
                sb.append(String.format(".slot %s %d %s%n", map.name(), slot.getKey(), QuotedNames.quote(slot.getValue())));
            }
        }
        // A map of maps' initial slots come after every map, since they name maps declared before use.
        for (MapDefinition map : object.maps()) {
            for (Map.Entry<Integer, String> slot : new TreeMap<>(map.initialMaps()).entrySet()) {
                sb.append(String.format(".slot %s %d %s%n", map.name(), slot.getKey(), slot.getValue()));
            }
        }
        for (Program program : object.programs()) {
            sb.append(listProgram(program));
        }
        return sb.toString();
    }

    public static String listProgram(Program program) {
        StringBuilder sb = new StringBuilder();
        sb.append(".program ").append(QuotedNames.quote(program.name())).append(' ').append(program.type().shortName());
        if (program.section() != null) {
            sb.append("    # section ").append(program.section());
        }
        sb.append('\n');
        for (Instruction insn : program.code()) {
            String label = program.symbols().get(insn.index());
            if (label != null) {
                sb.append(QuotedNames.quote(label)).append(":\n");
            }
            String text = InstructionText.format(insn, program::mapName);
            sb.append(String.format("    %-40s # %d%n", text, insn.index()));
        }
        return sb.toString();
    }
}
