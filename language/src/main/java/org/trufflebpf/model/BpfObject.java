package org.trufflebpf.model;

import java.util.List;

/**
 * Everything one input file holds: its programs and maps (including global data). Assembly and raw bytecode
 * give one program; an ELF object may give many.
 *
 * @param sourceName the file name, for messages
 * @param programs   the programs, in the order they appear
 * @param maps       the maps, indexed as lddw map references use them
 * @param license    the license string, or null
 * @param btf        the object's BTF for the kernel engine, or null when it has none (assembly, raw bytecode)
 * @param refused    the programs the loader could not link, with the reason, in object order; the others load
 */
public record BpfObject(String sourceName, List<Program> programs, List<MapDefinition> maps, String license, ObjectBtf btf, List<RefusedProgram> refused) {
    public BpfObject {
        programs = List.copyOf(programs);
        maps = List.copyOf(maps);
        refused = List.copyOf(refused);
    }

    /** An object whose programs all linked. */
    public BpfObject(String sourceName, List<Program> programs, List<MapDefinition> maps, String license, ObjectBtf btf) {
        this(sourceName, programs, maps, license, btf, List.of());
    }

    /** An object without BTF. */
    public BpfObject(String sourceName, List<Program> programs, List<MapDefinition> maps, String license) {
        this(sourceName, programs, maps, license, null);
    }

    /** The program with this name, or the unique program in this section; null if none or ambiguous. */
    public Program findProgram(String nameOrSection) {
        for (Program program : programs) {
            if (program.name().equals(nameOrSection)) {
                return program;
            }
        }
        Program match = null;
        for (Program program : programs) {
            if (nameOrSection.equals(program.section())) {
                if (match != null) {
                    return null;
                }
                match = program;
            }
        }
        return match;
    }
}
