package org.trufflebpf.truffle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trufflebpf.asm.Assembler;
import org.trufflebpf.asm.ConformanceFile;
import org.trufflebpf.elf.ElfLoader;
import org.trufflebpf.load.ObjectLoader;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionText;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramSections;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.model.RefusedProgram;
import org.trufflebpf.runtime.ContextRewriter;
import org.trufflebpf.verifier.ProgramTypeRules;
import org.trufflebpf.verifier.Verifier;
import org.trufflebpf.runtime.KernelEngineProvider;
import org.trufflebpf.runtime.NativeEngineProvider;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.Errno;
import org.trufflebpf.runtime.maps.LoadedProgram;
import org.trufflebpf.runtime.maps.MapOfMaps;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;
import org.trufflebpf.truffle.nodes.EntryTargets;

import com.oracle.truffle.api.source.Source;

/**
 * Loads a source into a module: reads it (assembly, raw bytecode, a conformance file or ELF), creates its
 * maps, gives each program its context type (section or {@code bpf.Context}), rewrites context accesses and
 * builds the interpreter's functions; then fills prog arrays the object declares. With {@code bpf.Prepare=false}
 * it only reads the object, for the module to print and verify on demand.
 */
final class ModuleLoader {
    private ModuleLoader() {
    }

    static BpfModule load(BpfLanguage language, BpfContext context, Source source) {
        String name = source.getName();
        BpfObject object;
        byte[] inputMemory = null;
        if (!source.hasBytes()) {
            object = Assembler.assemble(source.getCharacters().toString(), name);
        } else if (BpfLanguage.ELF_MIME_TYPE.equals(source.getMimeType())) {
            // Said to be ELF: anything else is an error, not another format.
            object = ElfLoader.load(source.getBytes().toByteArray(), name);
        } else if (ObjectLoader.detect(source.getBytes().toByteArray(), name) == ObjectLoader.Format.CONFORMANCE) {
            ConformanceFile file = ConformanceFile.parse(new String(source.getBytes().toByteArray(), StandardCharsets.UTF_8), name);
            object = ObjectLoader.conformance(file);
            inputMemory = file.memory();
        } else {
            object = ObjectLoader.load(source.getBytes().toByteArray(), name);
        }
        ObjectInspection inspection = new ObjectInspection(object, context.contextOverride(), context.verifierOptions());
        if (!context.prepare()) {
            return new BpfModule(name, List.of(), List.of(), MapSet.create(List.of(), 1, name), inspection, inputMemory, null);
        }
        long mapBytes = 0;
        for (MapDefinition definition : object.maps()) {
            mapBytes += definition.memoryBytes(context.runOptions().cpus());
        }
        context.reserveMapMemory(mapBytes, name);
        MapSet maps;
        try {
            maps = MapSet.create(object.maps(), context.runOptions().cpus(), name, context.runtime());
        } catch (RuntimeException | Error e) {
            context.releaseMapMemory(mapBytes);
            throw e;
        }
        ModuleResources resources = context.track(maps, mapBytes);
        KernelEngineProvider.KernelModule[] kernel = new KernelEngineProvider.KernelModule[1];
        BpfModule module;
        try {
            module = load(language, context, name, object, maps, resources, kernel, inspection, inputMemory,
                            new ProgramSources(context.env(), source, object));
        } catch (RuntimeException | Error e) {
            // A rejected load frees at once what it allocated (maps, code mappings, kernel fds) instead of
            // keeping it until the context closes: a host may retry loads for days.
            resources.free();
            context.release(kernel[0]);
            throw e;
        }
        // From now on the module lives as long as someone holds it (or one of its programs or maps).
        resources.freeWhenUnreachable(maps);
        return module;
    }

    private static BpfModule load(BpfLanguage language, BpfContext context, String name, BpfObject object, MapSet maps,
                    ModuleResources resources, KernelEngineProvider.KernelModule[] kernelOut, ObjectInspection inspection, byte[] inputMemory,
                    ProgramSources sources) {
        List<BpfProgram> programs = new ArrayList<>();
        KernelEngineProvider.KernelModule kernel = null;
        if (context.usesKernel()) {
            if (context.kernelEngine() == null) {
                throw new BpfError(BpfError.Kind.LOAD, name, "kernel engine unavailable: " + context.kernelUnavailable());
            }
            kernel = context.kernelEngine().open(name, maps, object.btf(), context.runOptions().cpu());
            kernelOut[0] = kernel;
            // Registered at once so that its fds are closed with the context even when a later load fails.
            context.registerKernelModule(kernel);
            mirrorProgArrays(name, maps, kernel);
        }
        List<BpfRefusedProgram> refused = new ArrayList<>();
        Set<String> refusedNames = new HashSet<>();
        for (RefusedProgram program : object.refused()) {
            refused.add(new BpfRefusedProgram(program));
            refusedNames.add(program.name());
        }
        for (Program program : object.programs()) {
            // One program refused (its type, our verifier) leaves its siblings loaded. The kernel's refusal of a
            // program ours accepted still fails the load: the differential tools must see that divergence.
            CheckedProgram checked;
            try {
                checked = check(context, name, program, maps);
            } catch (BpfError e) {
                refused.add(new BpfRefusedProgram(new RefusedProgram(program.name(), program.section(), e)));
                refusedNames.add(program.name());
                continue;
            }
            programs.add(build(language, context, checked, maps, resources, kernel, sources));
        }
        if (programs.isEmpty() && !refused.isEmpty()) {
            // Nothing would run: the load fails as a single-program file always did, with the first reason.
            throw refused.get(0).reason();
        }
        BpfModule module = new BpfModule(name, programs, refused, maps, inspection, inputMemory, object.btf());
        for (int i = 0; i < object.maps().size(); i++) {
            MapDefinition definition = object.maps().get(i);
            for (Map.Entry<Integer, String> slot : definition.initialPrograms().entrySet()) {
                BpfProgram program = module.program(slot.getValue());
                if (program == null && refusedNames.contains(slot.getValue())) {
                    // The slot stays empty: a tail call to it falls through, and running the program says why it is not there.
                    continue;
                }
                if (program == null) {
                    throw new BpfError(BpfError.Kind.LOAD, name, "prog array '" + definition.name() + "' slot " + slot.getKey() + " names unknown program '"
                                    + slot.getValue() + "'");
                }
                ProgArray array = (ProgArray) maps.get(i);
                String problem = ProgramTypeRules.tailCallTargetProblem(array.name(), array.adoptType(program.type()), program.name(), program.type());
                if (problem == null) {
                    problem = program.tailCallTargetProblem();
                }
                if (problem != null) {
                    throw new BpfError(BpfError.Kind.LOAD, name, "prog array '" + definition.name() + "' slot " + slot.getKey() + ": " + problem);
                }
                array.set(slot.getKey(), program);
            }
        }
        for (int i = 0; i < object.maps().size(); i++) {
            MapDefinition definition = object.maps().get(i);
            for (Map.Entry<Integer, String> slot : definition.initialMaps().entrySet()) {
                setInitialInnerMap(name, (MapOfMaps) maps.get(i), slot.getKey(), maps.byName(slot.getValue()), slot.getValue());
            }
        }
        // Only now can the context's programs name these maps: a load that failed never exposed them, so its
        // maps can be freed at once without any run holding them.
        context.runtime().publish(maps);
        return module;
    }

    /** A program typed as it will run ({@code typed}, what the kernel gets) and as our verifier left it. */
    private record CheckedProgram(Program typed, Program checked) {
    }

    /**
     * Types and verifies one program; a {@link BpfError} says why it cannot run (its section names no type or
     * one we cannot run, or the verifier refused it).
     */
    private static CheckedProgram check(BpfContext context, String name, Program program, MapSet maps) {
        ProgramType type = context.contextOverride() != null ? context.contextOverride() : program.type();
        String typeProblem = context.contextOverride() != null ? null : ProgramSections.typeProblem(program.section());
        if (typeProblem != null) {
            throw new BpfError(BpfError.Kind.LOAD, name, program.name(), -1, null, typeProblem);
        }
        Program typed = program.withType(type);
        // The verifier checks the program as written; the context rewrite comes after, as in the kernel.
        Program checked = context.verify() ? Verifier.verify(typed, context.verifierOptions()) : typed;
        claimProgArrays(typed, maps, name);
        return new CheckedProgram(typed, checked);
    }

    /** Rewrites and builds a checked program for every engine in use. */
    private static BpfProgram build(BpfLanguage language, BpfContext context, CheckedProgram program, MapSet maps, ModuleResources resources,
                    KernelEngineProvider.KernelModule kernel, ProgramSources sources) {
        Program typed = program.typed();
        Program rewritten = ContextRewriter.rewrite(program.checked());
        Program runnable = context.trustProofs() || rewritten.analysis() == null ? rewritten : rewritten.withAnalysis(rewritten.analysis().withoutProofs());
        EntryTargets entries = EntryTargets.build(language, runnable, maps, context.runOptions().cpu(), context.runOptions().tailCallAbi(), sources);
        // With the native engine the interpreter's call target still checks the program and serves as
        // fallback for tail calls from interpreted programs; runs start in native code.
        NativeEngineProvider.NativeCode nativeCode = context.nativeEngine() == null ? null : context.nativeEngine().compile(runnable, maps,
                        context.runOptions().tailCallAbi());
        if (nativeCode != null) {
            // Code memory (two mappings per program) is not garbage collected: the module's resources free it.
            resources.addNativeCode(nativeCode);
        }
        // The kernel gets the program as written: it does its own context rewrite.
        // Raw-memory programs have no kernel counterpart: the module still loads and running one says so.
        KernelEngineProvider.KernelCode kernelCode = kernel == null || typed.type() == ProgramType.RAW ? null : kernel.load(typed);
        return new BpfProgram(runnable, entries, nativeCode, kernelCode, maps, context, context.runOptions());
    }

    /**
     * A program that names a prog array fixes the type of the programs the array serves, as the kernel's map
     * owner; a program of another type naming it is refused, as the kernel refuses its load.
     */
    private static void claimProgArrays(Program program, MapSet maps, String file) {
        for (Instruction insn : program.code()) {
            if (insn.isWide() && (insn.src() == Opcodes.PSEUDO_MAP_FD || insn.src() == Opcodes.PSEUDO_MAP_IDX) && insn.imm() >= 0 && insn.imm() < maps.size()
                            && maps.get(insn.imm()) instanceof ProgArray array) {
                String problem = ProgramTypeRules.tailCallTargetProblem(array.name(), array.adoptType(program.type()), program.name(), program.type());
                if (problem != null) {
                    throw new BpfError(BpfError.Kind.LOAD, file, program.name(), insn.index(), InstructionText.format(insn, program::mapName), problem);
                }
            }
        }
    }

    /**
     * Makes the kernel's prog arrays follow the runtime's: every slot the host sets or empties (the object's
     * initial slots, the Context API's array writes and removals) is set or deleted in the kernel too, so tail
     * calls in kernel runs go where they go on our engines. When the kernel refuses a program (another program
     * type than the array's owner, or a raw-memory program, which has no kernel counterpart) the runtime's slot
     * is put back and the change fails with the kernel's reason.
     */
    private static void mirrorProgArrays(String name, MapSet maps, KernelEngineProvider.KernelModule kernel) {
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i) instanceof ProgArray array) {
                array.addListener(new KernelSlotMirror(name, i, kernel));
            }
        }
    }

    /** One prog array's listener for {@link #mirrorProgArrays}. */
    private static final class KernelSlotMirror implements ProgArray.Listener {
        private final String sourceName;
        private final int mapIndex;
        private final KernelEngineProvider.KernelModule kernel;
        /** Set while the runtime's slot is being put back, so that the put-back is not mirrored as a failure again. */
        private boolean restoring;

        KernelSlotMirror(String sourceName, int mapIndex, KernelEngineProvider.KernelModule kernel) {
            this.sourceName = sourceName;
            this.mapIndex = mapIndex;
            this.kernel = kernel;
        }

        @Override
        public synchronized void slotChanged(ProgArray array, int index, LoadedProgram previous, LoadedProgram current) {
            // The slot as it is now rather than as this change left it: when host threads change a slot at once,
            // the mirror that runs last copies the final state.
            LoadedProgram now = array.get(index);
            BpfError refusal;
            if (now instanceof BpfProgram program && program.kernelCode() == null) {
                refusal = new BpfError(BpfError.Kind.RUNTIME, sourceName, "prog array '" + array.name() + "' slot " + index + ": program '" + program.name()
                                + "' is a raw-memory program, which has no kernel counterpart");
            } else {
                try {
                    kernel.setProgArraySlot(mapIndex, index, now instanceof BpfProgram program ? program.kernelCode() : null);
                    return;
                } catch (BpfError e) {
                    refusal = e;
                }
            }
            if (!restoring) {
                restoring = true;
                try {
                    array.set(index, previous);
                } finally {
                    restoring = false;
                }
            }
            throw BpfGuestException.of(refusal, null);
        }
    }

    /** A slot of a map of maps the object initialises ({@code .values = { [k] = &inner }}), as libbpf fills it. */
    private static void setInitialInnerMap(String file, MapOfMaps outer, int slot, BpfMap inner, String innerName) {
        String where = "map '" + outer.name() + "' slot " + slot;
        if (inner == null) {
            throw new BpfError(BpfError.Kind.LOAD, file, where + " names unknown map '" + innerName + "'");
        }
        String mismatch = outer.mismatch(inner);
        if (mismatch != null) {
            throw new BpfError(BpfError.Kind.LOAD, file, where + ": map '" + innerName + "' cannot be an inner map: " + mismatch);
        }
        byte[] key = BpfMap.keyOf(slot);
        long result = outer.keySize() == 4 ? outer.setInner(key, inner, BpfMap.BPF_ANY) : -Errno.EINVAL;
        if (result != 0) {
            throw new BpfError(BpfError.Kind.LOAD, file, where + ": putting map '" + innerName + "' failed: " + Errno.name(result));
        }
    }
}
