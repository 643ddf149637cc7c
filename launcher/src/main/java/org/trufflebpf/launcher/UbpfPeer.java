package org.trufflebpf.launcher;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * uBPF's JIT and interpreter as peers of {@code bpf bench --peers}: a {@code libubpf.so} that the developer built from
 * uBPF's public source, named by {@code UBPF_LIB}, called through FFM. Nothing of uBPF is part of this project.
 * A program loads from its object with {@code ubpf_load_elf_ex}; one that uses maps or helpers uBPF lacks fails to
 * load there and is skipped with uBPF's own message.
 */
final class UbpfPeer implements AutoCloseable {
    static final String VARIABLE = "UBPF_LIB";

    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor JIT_ENTRY = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);

    private final Arena arena = Arena.ofShared();
    private final Path path;
    private final MethodHandle create;
    private final MethodHandle destroy;
    private final MethodHandle loadElf;
    private final MethodHandle compile;
    private final MethodHandle exec;
    private final java.util.List<MemorySegment> vms = new java.util.ArrayList<>();

    private UbpfPeer(Path path) throws PeerAbsentException {
        this.path = path;
        SymbolLookup library = SymbolLookup.libraryLookup(path, arena);
        create = handle(library, "ubpf_create", FunctionDescriptor.of(ValueLayout.ADDRESS));
        destroy = handle(library, "ubpf_destroy", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        loadElf = handle(library, "ubpf_load_elf_ex", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        compile = handle(library, "ubpf_compile", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        exec = handle(library, "ubpf_exec", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    }

    /** The library {@code UBPF_LIB} names; absent when the variable is unset or names no usable library. */
    static UbpfPeer open(String variable) throws PeerAbsentException {
        if (variable == null || variable.isEmpty()) {
            throw new PeerAbsentException(VARIABLE + " is not set (build uBPF from its public source and name its libubpf.so)");
        }
        Path path = Path.of(variable);
        if (!Files.isRegularFile(path)) {
            throw new PeerAbsentException(VARIABLE + " names no file: " + variable);
        }
        try {
            return new UbpfPeer(path);
        } catch (IllegalArgumentException e) {
            throw new PeerAbsentException(VARIABLE + ": " + e.getMessage());
        }
    }

    Path path() {
        return path;
    }

    /** A program loaded into a fresh VM, its JIT code, and how long the compile took. */
    record Loaded(PeerProgram interpreter, PeerProgram jit, long compileNanos) {
    }

    Loaded load(Path object, String function, byte[] input) throws Throwable {
        byte[] elf = Files.readAllBytes(object);
        MemorySegment vm = (MemorySegment) create.invokeExact();
        if (vm.equals(MemorySegment.NULL)) {
            throw new PeerAbsentException("ubpf_create failed");
        }
        vms.add(vm);
        MemorySegment error = arena.allocate(ValueLayout.ADDRESS);
        MemorySegment elfCopy = arena.allocate(elf.length, 16).copyFrom(MemorySegment.ofArray(elf));
        int loaded = (int) loadElf.invokeExact(vm, elfCopy, (long) elf.length, arena.allocateFrom(function), error);
        if (loaded < 0) {
            throw new PeerAbsentException("uBPF refuses it: " + message(error));
        }
        long start = System.nanoTime();
        MemorySegment code = (MemorySegment) compile.invokeExact(vm, error);
        long compileNanos = System.nanoTime() - start;
        if (code.equals(MemorySegment.NULL)) {
            throw new PeerAbsentException("uBPF's JIT refuses it: " + message(error));
        }
        MemorySegment memory = input == null ? MemorySegment.NULL : arena.allocate(input.length, 16).copyFrom(MemorySegment.ofArray(input));
        long length = input == null ? 0 : input.length;
        MemorySegment result = arena.allocate(ValueLayout.JAVA_LONG);
        MethodHandle jitted = LINKER.downcallHandle(code, JIT_ENTRY);
        PeerProgram interpreter = () -> {
            int status = (int) exec.invokeExact(vm, memory, length, result);
            if (status < 0) {
                throw new IllegalStateException("uBPF's interpreter stopped the program (status " + status + ")");
            }
            return result.get(ValueLayout.JAVA_LONG, 0);
        };
        PeerProgram jit = () -> (long) jitted.invokeExact(memory, length);
        return new Loaded(interpreter, jit, compileNanos);
    }

    private static String message(MemorySegment error) {
        MemorySegment text = error.get(ValueLayout.ADDRESS, 0);
        return text.equals(MemorySegment.NULL) ? "no reason given" : text.reinterpret(4096).getString(0).lines().findFirst().orElse("");
    }

    private static MethodHandle handle(SymbolLookup library, String name, FunctionDescriptor descriptor) throws PeerAbsentException {
        MemorySegment symbol = library.find(name).orElseThrow(() -> new PeerAbsentException(VARIABLE + " lacks " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    @Override
    public void close() {
        try {
            for (MemorySegment vm : vms) {
                destroy.invokeExact(vm);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("ubpf_destroy failed: " + t.getMessage());
        } finally {
            arena.close();
        }
    }
}
