package org.trufflebpf.truffle;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.runtime.ContextRuntime;
import org.trufflebpf.runtime.FibTable;
import org.trufflebpf.runtime.KernelEngineProvider;
import org.trufflebpf.runtime.NativeEngineProvider;
import org.trufflebpf.runtime.ProbeMemory;
import org.trufflebpf.runtime.RunOptions;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.verifier.VerifierOptions;

import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.nodes.Node;

/** The state of the language in one polyglot context: its options and where trace_printk writes. */
public final class BpfContext {
    private static final TruffleLanguage.ContextReference<BpfContext> REFERENCE = TruffleLanguage.ContextReference.create(BpfLanguage.class);

    private final TruffleLanguage.Env env;
    private final RunOptions runOptions;
    private final ProgramType contextOverride;
    private final PrintStream output;
    private final NativeEngineProvider nativeEngine;
    private final boolean verify;
    private final boolean trustProofs;
    private final VerifierOptions verifierOptions;
    /** The maps this context's programs can name, and its native runs: shared with no other context. */
    private final ContextRuntime runtime = new ContextRuntime();
    /**
     * What every module of this context not yet freed holds outside the heap (also of a load under way), freed
     * when the context closes at the latest. It reaches no module object, so dropped modules can be collected.
     */
    private final Set<ModuleResources> modules = ConcurrentHashMap.newKeySet();
    private final boolean prepare;

    /** Reads every option of the context, once: what runs read later are these fields. */
    BpfContext(TruffleLanguage.Env env) {
        this.env = env;
        var options = env.getOptions();
        this.contextOverride = options.get(BpfLanguage.Context).orElse(null);
        int cpus = options.get(BpfLanguage.Cpus);
        this.runOptions = new RunOptions(options.get(BpfLanguage.InstructionLimit), options.get(BpfLanguage.TailCallAbi), options.get(BpfLanguage.Seed),
                        Math.max(1, cpus), Math.max(0, Math.min(options.get(BpfLanguage.Cpu), cpus - 1)));
        this.output = new PrintStream(env.out(), true, StandardCharsets.UTF_8);
        this.verify = options.get(BpfLanguage.Verify);
        this.trustProofs = options.get(BpfLanguage.TrustProofs);
        this.verifierOptions = VerifierOptions.defaults().withPrivileged(options.get(BpfLanguage.Privileged));
        this.prepare = options.get(BpfLanguage.Prepare);
        this.mapMemoryLimit = options.get(BpfLanguage.MapMemoryLimit);
        byte[] contextBytes = options.get(BpfLanguage.ContextIn);
        this.contextIn = contextBytes.length == 0 ? null : contextBytes.clone();
        this.fib = options.get(BpfLanguage.Fib);
        this.repeatInOneSetUp = options.get(BpfLanguage.RepeatInOneSetUp);
        this.probeMemory = options.get(BpfLanguage.ProbeMemory);
        this.cgroup = options.get(BpfLanguage.Cgroup);
        EngineKind engine = options.get(BpfLanguage.Engine);
        this.nativeEngine = engine == EngineKind.NATIVE ? NativeEngineProvider.find("native")
                        .orElseThrow(() -> new IllegalArgumentException("bpf.Engine=native: no native engine on the class path (jit-x64)")) : null;
        if (engine == EngineKind.KERNEL) {
            KernelEngineProvider provider = KernelEngineProvider.find().orElse(null);
            if (provider == null) {
                this.kernelEngine = null;
                this.kernelUnavailable = "no kernel engine on the class path (module kernel)";
            } else if (!options.get(BpfLanguage.KernelEngine) || "1".equals(System.getenv("TRUFFLEBPF_NO_KERNEL"))) {
                this.kernelEngine = null;
                this.kernelUnavailable = "disabled (bpf.KernelEngine=disabled or TRUFFLEBPF_NO_KERNEL=1)";
            } else {
                this.kernelUnavailable = provider.unavailableReason();
                this.kernelEngine = kernelUnavailable == null ? provider : null;
            }
        } else {
            this.kernelEngine = null;
            this.kernelUnavailable = null;
        }
    }

    private final KernelEngineProvider kernelEngine;
    /** {@code bpf.Fib}: what bpf_fib_lookup sees in every run (never changed by a run). */
    private final FibTable fib;
    private final boolean repeatInOneSetUp;

    /** Whether executeRepeated's runs share the first one's set-up ({@link BpfLanguage#RepeatInOneSetUp}). */
    public boolean repeatInOneSetUp() {
        return repeatInOneSetUp;
    }

    public FibTable fib() {
        return fib;
    }

    /** {@code bpf.Cgroup}: the cgroup of every run's task and packet socket. */
    private final String cgroup;

    public String cgroup() {
        return cgroup;
    }

    /** {@code bpf.ProbeMemory}: what bpf_probe_read* sees in every run. */
    private final ProbeMemory probeMemory;

    public ProbeMemory probeMemory() {
        return probeMemory;
    }
    /** {@code bpf.ContextIn}: the context fields packet-program runs start from, or null. */
    private final byte[] contextIn;

    /** The context input of {@code bpf.ContextIn} (a copy), or null when none is set. */
    public byte[] contextIn() {
        return contextIn == null ? null : contextIn.clone();
    }
    private final String kernelUnavailable;
    /** Kernel maps and programs of every module loaded in this context: their fds are closed with it. */
    private final List<KernelEngineProvider.KernelModule> kernelModules = new CopyOnWriteArrayList<>();

    /** Whether {@code bpf.Engine=kernel}: programs run in the host kernel. */
    public boolean usesKernel() {
        return kernelEngine != null || kernelUnavailable != null;
    }

    /** The kernel engine when {@code bpf.Engine=kernel} and bpf(2) works, else null. */
    public KernelEngineProvider kernelEngine() {
        return kernelEngine;
    }

    /** Why the kernel engine cannot run here, when it was asked for and cannot; else null. */
    public String kernelUnavailable() {
        return kernelUnavailable;
    }

    void registerKernelModule(KernelEngineProvider.KernelModule module) {
        kernelModules.add(module);
    }

    /** The resources of a module whose load starts now; its maps are counted already ({@link #reserveMapMemory}). */
    ModuleResources track(MapSet maps, long mapBytes) {
        ModuleResources resources = new ModuleResources(modules, mapMemory, maps, mapBytes);
        modules.add(resources);
        return resources;
    }

    private final long mapMemoryLimit;
    /** Bytes the maps of this context's live modules take (counted before they are allocated). */
    private final AtomicLong mapMemory = new AtomicLong();

    /**
     * Counts a module's maps against {@code bpf.MapMemoryLimit} before they are allocated, so that many modules
     * with large maps end in a load error and never in an OutOfMemoryError of the host. Modules no one holds
     * count until they are collected: near the limit, a collection runs and their Cleaners get a moment first
     * (as the JDK does for direct buffers).
     */
    void reserveMapMemory(long bytes, String file) {
        if (tryReserve(bytes)) {
            return;
        }
        System.gc();
        for (long sleep = 1; sleep <= 256; sleep *= 2) {
            if (tryReserve(bytes)) {
                return;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!tryReserve(bytes)) {
            throw new BpfError(BpfError.Kind.LOAD, file, "its maps need " + bytes + " bytes, but the context holds "
                            + mapMemory.get() + " of its limit of " + mapMemoryLimit + " (bpf.MapMemoryLimit)");
        }
    }

    private boolean tryReserve(long bytes) {
        long total = mapMemory.addAndGet(bytes);
        if (total > mapMemoryLimit) {
            mapMemory.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void releaseMapMemory(long bytes) {
        mapMemory.addAndGet(-bytes);
    }

    /** Closes the kernel fds of a load that failed, before the context closes. */
    void release(KernelEngineProvider.KernelModule kernel) {
        if (kernel != null && kernelModules.remove(kernel)) {
            kernel.close();
        }
    }

    void dispose() {
        for (ModuleResources module : modules) {
            module.free();
        }
        for (KernelEngineProvider.KernelModule module : kernelModules) {
            module.close();
        }
        kernelModules.clear();
    }

    /** What this context's runs share, and nothing outside it: its maps by address, its native runs. */
    public ContextRuntime runtime() {
        return runtime;
    }

    /** Whether programs are verified at load ({@code bpf.Verify}, on by default). */
    /** Whether proven accesses run without their run-time check ({@code bpf.TrustProofs}). */
    public boolean trustProofs() {
        return trustProofs;
    }

    public boolean verify() {
        return verify;
    }

    /** The verifier's rules for this context's loader ({@code bpf.Privileged}). */
    public VerifierOptions verifierOptions() {
        return verifierOptions;
    }

    /** Whether evaluating a source prepares its programs to run ({@code bpf.Prepare}, on by default) or only reads it. */
    public boolean prepare() {
        return prepare;
    }

    /** The native engine when {@code bpf.Engine=native}, else null (the interpreter runs programs). */
    public NativeEngineProvider nativeEngine() {
        return nativeEngine;
    }

    public static BpfContext get(Node node) {
        return REFERENCE.get(node);
    }

    public TruffleLanguage.Env env() {
        return env;
    }

    public RunOptions runOptions() {
        return runOptions;
    }

    /** The context type forced by {@code bpf.Context}, or null to follow each program's section. */
    public ProgramType contextOverride() {
        return contextOverride;
    }

    public PrintStream output() {
        return output;
    }
}
