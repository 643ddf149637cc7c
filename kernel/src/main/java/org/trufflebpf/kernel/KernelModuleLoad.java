package org.trufflebpf.kernel;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.trufflebpf.model.ObjectBtf;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.KernelEngineProvider;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * One module in the kernel: its BTF, its maps and the programs loaded against them. Runs are serialised on the
 * module because each copies every map in and out.
 */
final class KernelModuleLoad implements KernelEngineProvider.KernelModule {
    private final KernelBtf btf;
    private final KernelMaps maps;
    private final List<KernelProgram> programs = new CopyOnWriteArrayList<>();
    private final int cpu;

    KernelModuleLoad(String sourceName, MapSet runtimeMaps, ObjectBtf objectBtf, int cpu) {
        this.btf = KernelBtf.load(objectBtf);
        try {
            this.maps = new KernelMaps(sourceName, runtimeMaps, btf);
        } catch (RuntimeException e) {
            btf.close();
            throw e;
        }
        this.cpu = cpu;
    }

    @Override
    public KernelEngineProvider.KernelCode load(Program original) {
        KernelProgram program = KernelProgram.load(original, maps, btf);
        programs.add(program);
        return new Code(program);
    }

    @Override
    public void setProgArraySlot(int mapIndex, int slot, KernelEngineProvider.KernelCode program) {
        synchronized (this) {
            maps.setProgArraySlot(mapIndex, slot, program == null ? -1 : ((Code) program).program.fd());
        }
    }

    /** Average kernel time per run of {@code repeat} runs over {@code packet} (BPF_PROG_TEST_RUN's duration), in ns. */
    @SuppressWarnings("try") // the resource's only job is to be closed
    long benchmark(KernelProgram program, byte[] packet, int repeat) {
        synchronized (this) {
            maps.copyIn();
            try (ThreadCpu pinned = new ThreadCpu(cpu)) {
                return KernelTestRun.run(program, packet, repeat).durationNanos();
            } finally {
                maps.copyOut();
            }
        }
    }

    @Override
    public void close() {
        for (KernelProgram program : programs) {
            program.close();
        }
        programs.clear();
        maps.close();
        btf.close();
    }

    /** A loaded program as the language sees it. */
    final class Code implements KernelEngineProvider.KernelCode {
        private final KernelProgram program;

        Code(KernelProgram program) {
            this.program = program;
        }

        @Override
        @SuppressWarnings("try") // the resource's only job is to be closed
        public long run(byte[] packet, byte[] packetOut) {
            synchronized (KernelModuleLoad.this) {
                maps.copyIn();
                try (ThreadCpu pinned = new ThreadCpu(cpu)) {
                    KernelTestRun.Result result = KernelTestRun.run(program, packet, 1);
                    if (packetOut != null) {
                        System.arraycopy(result.packetOut(), 0, packetOut, 0, Math.min(packetOut.length, result.packetOut().length));
                    }
                    return result.r0();
                } finally {
                    maps.copyOut();
                }
            }
        }

        @Override
        public String verifierLog() {
            return program.log();
        }

        @Override
        public String btfStatus() {
            synchronized (KernelModuleLoad.this) {
                return maps.btfStatus();
            }
        }

        @Override
        public long benchmarkNanos(byte[] packet, int repeat) {
            return benchmark(program, packet, repeat);
        }
    }
}
