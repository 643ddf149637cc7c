package org.trufflebpf.elf;

import java.util.Locale;
import java.util.TreeMap;

import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionText;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramAnalysis;
import org.trufflebpf.model.ProgramSections;

/**
 * Human-readable views of a loaded object: a disassembly of one program with its function labels, map names
 * and call targets, and a summary of every program, map and global data section ({@code bpf inspect}).
 */
public final class ProgramListing {
    private ProgramListing() {
    }

    /**
     * Disassembles a program: a {@code name:} label before each function, then one instruction per line with
     * its slot index; lddw map references show the map's name, calls and function addresses the callee's.
     */
    public static String disassemble(Program program) {
        StringBuilder sb = new StringBuilder();
        for (Instruction insn : program.code()) {
            String label = program.symbols().get(insn.index());
            if (label != null) {
                sb.append(label).append(":\n");
            }
            sb.append(String.format(Locale.ROOT, "%6d: %s", insn.index(), InstructionText.format(insn, program::mapName)));
            String note = note(program, insn);
            if (note != null) {
                sb.append("    ; ").append(note);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String note(Program program, Instruction insn) {
        if (ProgramAnalysis.isFunctionReference(insn)) {
            String callee = program.symbols().get(insn.localCallTarget());
            return callee != null ? callee : "insn " + insn.localCallTarget();
        }
        return null;
    }

    /** The program's type: the one it runs as, or the Linux type its section names when our engines run no such programs. */
    private static String typeName(Program program) {
        ProgramSections.Kind kind = ProgramSections.of(program.section());
        if (program.section() != null && kind == null) {
            return "(unnamed)";
        }
        return kind != null && kind.runsAs() == null ? kind.linuxType() : program.type().name().toLowerCase(Locale.ROOT);
    }

    /** The summary {@code bpf inspect} prints: programs, maps and global data. */
    public static String summary(BpfObject object) {
        StringBuilder sb = new StringBuilder();
        sb.append(object.sourceName()).append(": license ").append(object.license() == null ? "(none)" : '"' + object.license() + '"').append('\n');
        sb.append("programs (").append(object.programs().size()).append("):\n");
        for (Program program : object.programs()) {
            sb.append(String.format(Locale.ROOT, "  %-24s section %-20s type %-13s %5d insns", program.name(), program.section(),
                            typeName(program), program.slotCount()));
            sb.append("  functions: ").append(String.join(", ", new TreeMap<>(program.symbols()).values())).append('\n');
        }
        long userMaps = object.maps().stream().filter(m -> !m.isGlobalData()).count();
        sb.append("maps (").append(userMaps).append("):\n");
        for (int i = 0; i < object.maps().size(); i++) {
            MapDefinition map = object.maps().get(i);
            if (map.isGlobalData()) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "  [%d] %-22s %-12s key %4d  value %6d  max_entries %8d  flags 0x%x", i, map.name(),
                            map.type().name().toLowerCase(Locale.ROOT), map.keySize(), map.valueSize(), map.maxEntries(), map.flags()));
            if (!map.initialPrograms().isEmpty()) {
                sb.append("  initial ").append(new TreeMap<>(map.initialPrograms()));
            }
            if (map.inner() != null) {
                MapDefinition inner = map.inner();
                sb.append(String.format(Locale.ROOT, "  inner %s key %d value %d max_entries %d flags 0x%x", inner.type().name().toLowerCase(Locale.ROOT),
                                inner.keySize(), inner.valueSize(), inner.maxEntries(), inner.flags()));
            }
            if (!map.initialMaps().isEmpty()) {
                sb.append("  initial ").append(new TreeMap<>(map.initialMaps()));
            }
            sb.append('\n');
        }
        long globals = object.maps().size() - userMaps;
        sb.append("global data (").append(globals).append("):\n");
        for (int i = 0; i < object.maps().size(); i++) {
            MapDefinition map = object.maps().get(i);
            if (map.isGlobalData()) {
                sb.append(String.format(Locale.ROOT, "  [%d] %-22s %6d bytes%s%n", i, map.name(), map.valueSize(), map.readOnly() ? "  read-only" : ""));
            }
        }
        return sb.toString();
    }
}
