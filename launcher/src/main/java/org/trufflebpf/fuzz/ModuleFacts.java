package org.trufflebpf.fuzz;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.trufflebpf.asm.Assembler;
import org.trufflebpf.load.ObjectLoader;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;

/**
 * What the comparison with the kernel needs to know about a module before it runs: each program's context type,
 * the helpers its programs call, and which maps are ring buffers or prog arrays ({@link KernelDifferences} decides
 * from these which differences are the kernel's by design).
 *
 * @param types     each program's context type, in module order
 * @param helpers   the ids of every helper any program calls with {@code call IMM}
 * @param ringBufs  the names of ring buffer maps
 * @param progArrays the names of prog arrays
 */
public record ModuleFacts(Map<String, ProgramType> types, Set<Integer> helpers, Set<String> ringBufs, Set<String> progArrays) {

    /** Facts of a source that does not parse: no programs, nothing to compare. */
    static final ModuleFacts NONE = new ModuleFacts(Map.of(), Set.of(), Set.of(), Set.of());

    /**
     * Reads the case's source as the language does (assembly text, or ELF/raw bytes); {@code contextOverride}
     * ({@code bpf.Context}, may be null or empty) retypes every program.
     */
    public static ModuleFacts of(DiffCase c, String contextOverride) {
        BpfObject object;
        try {
            object = c.text() != null ? Assembler.assemble(c.text(), c.name()) : ObjectLoader.load(c.bytes(), c.name());
        } catch (BpfError e) {
            return NONE;
        }
        ProgramType override = contextOverride == null || contextOverride.isEmpty() ? null : ProgramType.byName(contextOverride);
        Map<String, ProgramType> types = new LinkedHashMap<>();
        Set<Integer> helpers = new TreeSet<>();
        for (Program program : object.programs()) {
            types.put(program.name(), override != null ? override : program.type());
            for (Instruction insn : program.code()) {
                if (insn.isHelperCall()) {
                    helpers.add(insn.imm());
                }
            }
        }
        Set<String> ringBufs = new TreeSet<>();
        Set<String> progArrays = new TreeSet<>();
        for (MapDefinition map : object.maps()) {
            if (map.type() == MapType.RINGBUF) {
                ringBufs.add(map.name());
            } else if (map.type() == MapType.PROG_ARRAY) {
                progArrays.add(map.name());
            }
        }
        return new ModuleFacts(Collections.unmodifiableMap(types), Set.copyOf(helpers), Set.copyOf(ringBufs), Set.copyOf(progArrays));
    }

    /** The type of the named program, or of the module's first when {@code program} is null; null when unknown. */
    public ProgramType typeOf(String program) {
        if (program != null) {
            return types.get(program);
        }
        return types.isEmpty() ? null : types.values().iterator().next();
    }

    /** Whether any program has a kernel counterpart (a packet context). */
    public boolean hasPacketProgram() {
        return types.values().stream().anyMatch(t -> t != ProgramType.RAW);
    }

    public boolean calls(int helper) {
        return helpers.contains(helper);
    }
}
