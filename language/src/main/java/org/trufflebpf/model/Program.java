package org.trufflebpf.model;

import java.util.List;
import java.util.Map;

/**
 * One loadable program: its instructions (all of its functions, as they lie in the object), the maps of the
 * object it comes from (lddw map references are indexes into {@link #maps()}), and, once verified, the
 * analysis both engines read.
 *
 * @param name       the program's name (its symbol, or the file name for raw bytecode and assembly)
 * @param section    the ELF section it came from, or null
 * @param type       what the program runs on
 * @param code       instructions with their slot indexes, starting at 0
 * @param maps       the object's maps
 * @param sourceName the file it came from, for error messages
 * @param symbols    names of code locations by slot index (function symbols, labels); may be empty
 * @param analysis   the verifier's results, or null while unverified
 * @param lines      the source line of each instruction (C lines from {@code .BTF.ext}, assembly lines), by slot
 */
public record Program(String name, String section, ProgramType type, List<Instruction> code, List<MapDefinition> maps, String sourceName,
                Map<Integer, String> symbols, ProgramAnalysis analysis, SourceLines lines) {

    public Program {
        code = List.copyOf(code);
        maps = List.copyOf(maps);
        symbols = Map.copyOf(symbols);
        lines = lines == null ? SourceLines.NONE : lines;
    }

    public static Program of(String name, ProgramType type, List<Instruction> code, List<MapDefinition> maps, String sourceName) {
        return new Program(name, null, type, code, maps, sourceName, Map.of(), null, SourceLines.NONE);
    }

    public Program withAnalysis(ProgramAnalysis newAnalysis) {
        return new Program(name, section, type, code, maps, sourceName, symbols, newAnalysis, lines);
    }

    public Program withType(ProgramType newType) {
        return new Program(name, section, newType, code, maps, sourceName, symbols, analysis, lines);
    }

    /** The same program with another line table. */
    public Program withLines(SourceLines newLines) {
        return new Program(name, section, type, code, maps, sourceName, symbols, analysis, newLines);
    }

    /** The source line of the instruction at a slot index, or null when unknown. */
    public SourceLine lineOf(int slotIndex) {
        return lines.lineAt(slotIndex);
    }

    public boolean isVerified() {
        return analysis != null;
    }

    /** Number of 8-byte slots, as the kernel counts program length. */
    public int slotCount() {
        if (code.isEmpty()) {
            return 0;
        }
        Instruction last = code.get(code.size() - 1);
        return last.index() + last.slots();
    }

    /** Position in {@link #code()} of the instruction at a slot index, or -1 if no instruction starts there. */
    public int positionOf(int slotIndex) {
        int low = 0;
        int high = code.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int index = code.get(mid).index();
            if (index == slotIndex) {
                return mid;
            } else if (index < slotIndex) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return -1;
    }

    public String mapName(int mapIndex) {
        return mapIndex >= 0 && mapIndex < maps.size() ? maps.get(mapIndex).name() : null;
    }
}
