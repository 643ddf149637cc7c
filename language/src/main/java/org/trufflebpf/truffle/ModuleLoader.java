package org.trufflebpf.truffle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.trufflebpf.asm.Assembler;
import org.trufflebpf.load.ObjectLoader;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.runtime.ContextRewriter;
import org.trufflebpf.verifier.Verifier;
import org.trufflebpf.runtime.KernelEngineProvider;
import org.trufflebpf.runtime.NativeEngineProvider;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.runtime.maps.ProgArray;
import org.trufflebpf.truffle.nodes.ProgramBuilder;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.source.Source;

/**
 * Loads a source into a module: reads it (assembly, raw bytecode or ELF), creates its maps, gives each
 * program its context type (section or {@code bpf.Context}), rewrites context accesses and builds the
 * interpreter's functions; then fills prog arrays the object declares.
 */
final class ModuleLoader {
    private ModuleLoader() {
    }

    static BpfModule load(BpfLanguage language, BpfContext context, Source source) {
        String name = source.getName();
        BpfObject object = source.hasBytes() ? ObjectLoader.load(source.getBytes().toByteArray(), name)
                        : Assembler.assemble(source.getCharacters().toString(), name);
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
            module = load(language, context, name, object, maps, resources, kernel);
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
                    ModuleResources resources, KernelEngineProvider.KernelModule[] kernelOut) {
        List<BpfProgram> programs = new ArrayList<>();
        KernelEngineProvider.KernelModule kernel = null;
        if (context.usesKernel()) {
            if (context.kernelEngine() == null) {
                throw new BpfError(BpfError.Kind.LOAD, name, "kernel engine unavailable: " + context.kernelUnavailable());
            }
            kernel = context.kernelEngine().open(name, maps, context.runOptions().cpu());
            kernelOut[0] = kernel;
            // Registered at once so that its fds are closed with the context even when a later load fails.
            context.registerKernelModule(kernel);
        }
        for (Program program : object.programs()) {
            ProgramType type = context.contextOverride() != null ? context.contextOverride() : program.type();
            Program typed = program.withType(type);
            // The verifier checks the program as written; the context rewrite comes after, as in the kernel.
            Program checked = context.verify() ? Verifier.verify(typed) : typed;
            Program runnable = ContextRewriter.rewrite(checked);
            CallTarget entry = ProgramBuilder.build(language, runnable, maps);
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
            programs.add(new BpfProgram(runnable, entry, nativeCode, kernelCode, maps, context, context.runOptions()));
        }
        BpfModule module = new BpfModule(name, programs, maps);
        for (int i = 0; i < object.maps().size(); i++) {
            MapDefinition definition = object.maps().get(i);
            for (Map.Entry<Integer, String> slot : definition.initialPrograms().entrySet()) {
                BpfProgram program = module.program(slot.getValue());
                if (program == null) {
                    throw new BpfError(BpfError.Kind.LOAD, name, "prog array '" + definition.name() + "' slot " + slot.getKey() + " names unknown program '"
                                    + slot.getValue() + "'");
                }
                ((ProgArray) maps.get(i)).set(slot.getKey(), program);
                if (kernel != null && program.kernelCode() != null) {
                    kernel.setProgArraySlot(i, slot.getKey(), program.kernelCode());
                }
            }
        }
        // Only now can the context's programs name these maps: a load that failed never exposed them, so its
        // maps can be freed at once without any run holding them.
        context.runtime().publish(maps);
        return module;
    }
}
