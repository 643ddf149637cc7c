package org.trufflebpf.jit.x64;

import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.NativeEngineProvider;
import org.trufflebpf.runtime.RepeatedInput;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * The native engine as the {@code bpf} language finds it ({@code bpf.Engine=native}): programs compiled in
 * checked mode over the shared runtime's maps and helpers, each run inside the caller's {@link RunState}
 * (its memory regions, budget and tail-call ABI).
 */
public final class NativeEngineService implements NativeEngineProvider {

    /** Made by the language's ServiceLoader. */
    public NativeEngineService() {
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public NativeCode compile(Program program, MapSet maps, TailCallAbi abi) {
        return new Code(NativeEngine.compile(program, JitOptions.CHECKED.withTailCallAbi(abi), maps), maps);
    }

    /**
     * A program's native code for reading: each BPF instruction above the x86 code it became (Capstone, Intel
     * syntax). Verified programs show the unchecked code (the kernel's layout alone, as {@code bpf jit-dump
     * --unchecked} prints it), unverified ones the checked code. Through the Polyglot API programs always run
     * checked code, which {@code bpf jit-dump} prints by default.
     */
    public static String jitDump(Program program, MapSet maps) {
        JitOptions options = program.isVerified() ? JitOptions.UNCHECKED : JitOptions.CHECKED;
        NativeImage image = BpfToX86.compile(program, options, maps);
        if (!JitDisassembler.isAvailable()) {
            throw new IllegalStateException("jit-dump needs the Capstone library (Debian package libcapstone4)");
        }
        return JitDisassembler.format(image);
    }

    private record Code(NativeProgram program, MapSet maps) implements NativeCode {
        @Override
        public TailCallAbi tailCallAbi() {
            return program.image().options().tailCallAbi();
        }

        @Override
        public long entryAddress() {
            return program.entryAddress();
        }

        @Override
        public long codeBytes() {
            return program.codeBytes();
        }

        @Override
        public String disassemble(boolean withStubs) {
            if (!JitDisassembler.isAvailable()) {
                throw new IllegalStateException("disassembly needs the Capstone library (Debian package libcapstone4)");
            }
            return JitDisassembler.format(program.image(), program.liveCode(), withStubs);
        }

        @Override
        public String disassembleUnchecked() {
            Program source = program.image().program();
            if (!source.isVerified()) {
                return null;
            }
            if (!JitDisassembler.isAvailable()) {
                throw new IllegalStateException("disassembly needs the Capstone library (Debian package libcapstone4)");
            }
            NativeImage image = BpfToX86.compile(source, JitOptions.UNCHECKED.withTailCallAbi(tailCallAbi()), maps);
            return JitDisassembler.format(image, image.code(), false);
        }

        @Override
        public long run(RunState state, long r1, long r2) {
            return program.run(state, r1, r2);
        }

        @Override
        public boolean endsWithoutHost() {
            return program.criticalEntry();
        }

        @Override
        public boolean repeatsInNativeLoop() {
            return program.repeatsInNativeLoop();
        }

        @Override
        public long runRepeated(RunState state, RepeatedInput again, long times) {
            return program.runRepeated(state, again, times);
        }

        @Override
        public Runnable releaser() {
            return program.releaser();
        }

        @Override
        public void close() {
            program.close();
        }
    }
}
