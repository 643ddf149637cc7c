package org.trufflebpf.runtime;

import java.util.Optional;
import java.util.ServiceLoader;

import org.trufflebpf.model.ObjectBtf;
import org.trufflebpf.model.Program;
import org.trufflebpf.runtime.maps.MapSet;

/**
 * How the {@code bpf} language reaches the host kernel as an engine ({@code bpf.Engine=kernel}) without depending
 * on it: the {@code kernel} module implements this and registers it in
 * {@code META-INF/services/org.trufflebpf.runtime.KernelEngineProvider}, as {@link NativeEngineProvider} is found.
 * The runtime's maps stay authoritative: before each run their contents are written into the kernel's maps and
 * after it the kernel's maps are read back into them (ring buffers: the records the run submitted), so map
 * interop objects need not know the kernel. Prog-array slots follow the runtime's through
 * {@link KernelModule#setProgArraySlot}, which the language calls on every slot change.
 */
public interface KernelEngineProvider {
    /** Why bpf(2) cannot be used here (one line), or null when it can. */
    String unavailableReason();

    /**
     * Creates kernel maps for every map of a module, filled with the runtime maps' current contents; with
     * {@code btf} (null when the object has none) the BTF is loaded first and maps get their key and value
     * types, or, where the kernel refuses the BTF, are created without. Runs happen on kernel CPU {@code cpu}
     * ({@code bpf.Cpu}) where it can, so that per-CPU values land where ours do.
     */
    KernelModule open(String sourceName, MapSet maps, ObjectBtf btf, int cpu);

    /**
     * The kernel verifier's verdict on one program as written (before {@link ContextRewriter}), with maps created
     * for the load and everything closed afterwards ({@code bpf verify --kernel}). An unusable map is a
     * {@link org.trufflebpf.model.BpfError} of kind LOAD; a rejection is a verdict, not an error.
     */
    Verdict verify(Program original, ObjectBtf btf);

    /**
     * @param accepted whether BPF_PROG_LOAD succeeded
     * @param reason   the rejection in one line, or null when accepted
     * @param log      the verifier's whole log (level 1)
     * @param btf      what became of the object's BTF, in one line (loaded with each map's types, refused with
     *                 the kernel's reason, or absent)
     */
    record Verdict(boolean accepted, String reason, String log, String btf) {
    }

    /** The kernel maps of one module and the programs loaded against them; close releases every fd. */
    interface KernelModule extends AutoCloseable {
        /**
         * Loads a program as written (before {@link ContextRewriter}: the kernel rewrites context accesses
         * itself). A kernel verifier rejection is a {@link org.trufflebpf.model.BpfError} of kind VERIFY.
         */
        KernelCode load(Program original);

        /**
         * Puts a loaded program into slot {@code slot} of the prog array at {@code mapIndex}, or empties the slot
         * when {@code program} is null. A refusal by the kernel is a {@link org.trufflebpf.model.BpfError}.
         */
        void setProgArraySlot(int mapIndex, int slot, KernelCode program);

        @Override
        void close();
    }

    /** One program loaded in the kernel. */
    interface KernelCode {
        /**
         * One BPF_PROG_TEST_RUN over {@code packet}: maps are copied in before and read back after (records the
         * run submitted to a ring buffer are added to the runtime's ring); returns r0. {@code packetOut}, when
         * given, receives the packet as the run left it (up to its length).
         */
        long run(byte[] packet, byte[] packetOut);

        /** The kernel verifier's log of the load (may be empty when it logged nothing). */
        String verifierLog();

        /**
         * What became of the BTF of the object the program came from, in one line: loaded (with each map's types
         * as the kernel reports them), refused (with the kernel's reason; maps were then created without types),
         * or absent.
         */
        String btfStatus();

        /** {@code repeat} runs in one BPF_PROG_TEST_RUN; the kernel's average time per run in ns. */
        long benchmarkNanos(byte[] packet, int repeat);
    }

    /** The kernel provider on the class path, if any. */
    static Optional<KernelEngineProvider> find() {
        for (KernelEngineProvider provider : ServiceLoader.load(KernelEngineProvider.class, KernelEngineProvider.class.getClassLoader())) {
            return Optional.of(provider);
        }
        return Optional.empty();
    }
}
