package org.trufflebpf.truffle;

import static org.trufflebpf.runtime.TailCallAbi.COUNTER_BY_VALUE;

import java.util.Optional;

import org.graalvm.options.OptionCategory;
import org.graalvm.options.OptionDescriptors;
import org.graalvm.options.OptionKey;
import org.graalvm.options.OptionStability;
import org.graalvm.options.OptionType;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.runtime.CancelFlag;
import org.trufflebpf.runtime.CgroupPath;
import org.trufflebpf.runtime.FibTable;
import org.trufflebpf.runtime.ProbeMemory;
import org.trufflebpf.runtime.RunOptions;
import org.trufflebpf.runtime.TailCallAbi;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.ContextThreadLocal;
import com.oracle.truffle.api.Option;
import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.instrumentation.ProvidedTags;
import com.oracle.truffle.api.instrumentation.StandardTags;
import com.oracle.truffle.api.nodes.RootNode;

/**
 * The {@code bpf} language: evaluating an ELF object, raw bytecode or assembly gives a {@link BpfModule} whose
 * members are the programs (executable) and maps of the input.
 */
@TruffleLanguage.Registration(id = BpfLanguage.ID, name = "eBPF", implementationName = "TruffleBPF", version = "0.1", defaultMimeType = BpfLanguage.ASM_MIME_TYPE,
                characterMimeTypes = BpfLanguage.ASM_MIME_TYPE, byteMimeTypes = {BpfLanguage.ELF_MIME_TYPE, BpfLanguage.BYTECODE_MIME_TYPE},
                fileTypeDetectors = BpfFileTypeDetector.class, website = "https://github.com/trufflebpf")
// Instruments see a function's root, each of its source lines as a statement, and its call sites.
@ProvidedTags({StandardTags.RootTag.class, StandardTags.RootBodyTag.class, StandardTags.StatementTag.class, StandardTags.CallTag.class})
public final class BpfLanguage extends TruffleLanguage<BpfContext> {
    public static final String ID = "bpf";
    /** An ELF relocatable object as clang -target bpf writes it. */
    public static final String ELF_MIME_TYPE = "application/x-elf";
    /** Raw eBPF bytecode: 8-byte instructions, little-endian. */
    public static final String BYTECODE_MIME_TYPE = "application/x-bpf";
    /** The assembly syntax of the bpf_conformance suite. */
    public static final String ASM_MIME_TYPE = "text/x-bpf-asm";

    @Option(help = "Instructions a run may execute before it is stopped (lddw counts once; charged per straight-line block).", category = OptionCategory.USER,
                    stability = OptionStability.STABLE) //
    static final OptionKey<Long> InstructionLimit = new OptionKey<>(RunOptions.DEFAULT_INSTRUCTION_LIMIT, new OptionType<>("instructions", value -> {
        long limit;
        try {
            limit = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the instruction limit must be a positive number, not '" + value + "'");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("the instruction limit must be a positive number, not " + limit);
        }
        return limit;
    }));

    @Option(help = "How the tail-call counter travels: counter-by-value (the kernel's 2020 x86 JIT, default) or shared (one counter per run).",
                    category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<TailCallAbi> TailCallAbi = new OptionKey<>(COUNTER_BY_VALUE, OptionTypes.TAIL_CALL_ABI);

    @Option(help = "Seed of the deterministic clock and random numbers the helpers return.", category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<Long> Seed = new OptionKey<>(0L);

    @Option(help = "Number of CPUs per-CPU maps hold values for.", category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<Integer> Cpus = new OptionKey<>(1);

    @Option(help = "The CPU runs pretend to be on (get_smp_processor_id, per-CPU map lookups).", category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<Integer> Cpu = new OptionKey<>(0);

    @Option(help = "Context every program gets, overriding its section: raw, socket, tc or xdp (needed for sections that name no type, such as tc's numbered 2/7). Empty: follow the section.", category = OptionCategory.USER,
                    stability = OptionStability.STABLE) //
    static final OptionKey<Optional<ProgramType>> Context = new OptionKey<>(Optional.empty(), OptionTypes.CONTEXT);

    @Option(help = "Context fields every packet-program run starts from, in hex: the raw bytes of struct __sk_buff (socket, tc) or struct xdp_md (xdp), "
                    + "as BPF_PROG_TEST_RUN's ctx_in takes them, with the kernel's rules on all engines. Empty: the context is built from the packet alone.",
                    category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<byte[]> ContextIn = new OptionKey<>(new byte[0], OptionTypes.HEX_BYTES);

    @Option(help = "The devices, routes and neighbours bpf_fib_lookup sees, as text: lines of dev, route, neigh and local (see FibTable; bpf run --fib FILE). "
                    + "Empty: no devices, so every lookup gives -ENODEV.", category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<FibTable> Fib = new OptionKey<>(FibTable.EMPTY, new OptionType<>("fib", FibTable::parse));

    @Option(help = "The cgroup of every run's task and of its packet's socket, as a path in the cgroup v2 hierarchy (/ the root, as /proc/self/cgroup shows it), "
                    + "for bpf_skb_under_cgroup and bpf_current_task_under_cgroup (bpf run --cgroup PATH). The kernel engine's runs are in this process's own cgroup.",
                    category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<String> Cgroup = new OptionKey<>(CgroupPath.ROOT, new OptionType<>("cgroup", CgroupPath::parse));

    @Option(help = "The memory bpf_probe_read* sees, as text: lines of ADDRESS HEXBYTES (see ProbeMemory; bpf run --probe-memory FILE); "
                    + "addresses below 0x7ffffffff000 are user memory, from 0xffff800000000000 on kernel memory. Empty: every probe faults.",
                    category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<ProbeMemory> ProbeMemory = new OptionKey<>(org.trufflebpf.runtime.ProbeMemory.EMPTY,
                    new OptionType<>("probe-memory", org.trufflebpf.runtime.ProbeMemory::parse));

    @Option(help = "Engine that runs programs: interpreter (this Truffle interpreter, compiled by Graal), native (the x86-64 backend, found as a "
                    + "NativeEngineProvider service) or kernel (the host kernel through bpf(2), a KernelEngineProvider service).", category = OptionCategory.USER,
                    stability = OptionStability.STABLE) //
    static final OptionKey<EngineKind> Engine = new OptionKey<>(EngineKind.INTERPRETER, OptionTypes.ENGINE);

    @Option(help = "Enabled, or disabled to act as if bpf(2) were refused (so the kernel engine's unavailable path can be tested); "
                    + "the environment variable TRUFFLEBPF_NO_KERNEL=1 does the same.", category = OptionCategory.EXPERT, stability = OptionStability.STABLE) //
    static final OptionKey<Boolean> KernelEngine = new OptionKey<>(true, OptionTypes.ENABLED);

    @Option(help = "Prepare programs to run when a source is evaluated: create maps, verify, build. With false the object is only read, and the module "
                    + "offers its internal members alone (listing, summary, disassembly, programNames, verify, kernelVerdict, inputMemory), as bpf disasm, "
                    + "inspect and verify use it.", category = OptionCategory.EXPERT, stability = OptionStability.STABLE) //
    static final OptionKey<Boolean> Prepare = new OptionKey<>(true);

    @Option(help = "Bytes all maps of one context may take together (default 1 GiB); a load that would pass it is refused.", category = OptionCategory.USER,
                    stability = OptionStability.STABLE) //
    static final OptionKey<Long> MapMemoryLimit = new OptionKey<>(1L << 30, new OptionType<>("bytes", value -> {
        long limit;
        try {
            limit = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bpf.MapMemoryLimit takes a positive number of bytes, not '" + value + "'");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("bpf.MapMemoryLimit takes a positive number of bytes, not '" + value + "'");
        }
        return limit;
    }));

    @Option(help = "Whether executeRepeated (bpf bench) runs its repeats in the first run's set-up, its input and context put back before each run, as "
                    + "BPF_PROG_TEST_RUN's repeat does (default). With false each run is set up as a single run is, to measure what one run through the Context API costs.",
                    category = OptionCategory.EXPERT, stability = OptionStability.EXPERIMENTAL) //
    static final OptionKey<Boolean> RepeatInOneSetUp = new OptionKey<>(true);

    @Option(help = "Verify programs at load time (off only to run unverified code in tests; the interpreter still checks every memory access).",
                    category = OptionCategory.EXPERT, stability = OptionStability.STABLE) //
    static final OptionKey<Boolean> Verify = new OptionKey<>(true);

    @Option(help = "Run the memory accesses the verifier proved safe without run-time checks, on both engines (as the kernel's JIT does). With false "
                    + "every access keeps its check, the program otherwise the same: bpf fuzz --soundness compares the two to test the proofs.",
                    category = OptionCategory.EXPERT, stability = OptionStability.STABLE) //
    static final OptionKey<Boolean> TrustProofs = new OptionKey<>(true);

    @Option(help = "Verify as for a privileged loader (root), as the kernel does: reads of stack bytes no path wrote, and pointers kept as numbers "
                    + "(stored to maps, returned, compared). With false, the rules of an unprivileged loader refuse both.",
                    category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<Boolean> Privileged = new OptionKey<>(true);

    private static final LanguageReference<BpfLanguage> REFERENCE = LanguageReference.create(BpfLanguage.class);

    /** Per context and thread: the word through which the host stops a native run of that thread (close, interrupt). */
    private final ContextThreadLocal<CancelInterrupter> cancelFlags = locals.createContextThreadLocal((context, thread) -> new CancelInterrupter(new CancelFlag()));

    /** The cancel flag of the current context and thread, with the interrupter that sets it. */
    static CancelInterrupter cancelInterrupter() {
        return REFERENCE.get(null).cancelFlags.get();
    }

    @Override
    protected boolean isThreadAccessAllowed(Thread thread, boolean singleThreaded) {
        // Runs share nothing mutable but maps, which are thread-safe; each run has its own stack and state.
        return true;
    }

    @Override
    protected BpfContext createContext(Env env) {
        return new BpfContext(env);
    }

    @Override
    protected void disposeContext(BpfContext context) {
        context.dispose();
    }

    @Override
    protected OptionDescriptors getOptionDescriptors() {
        return new BpfLanguageOptionDescriptors();
    }

    @Override
    protected CallTarget parse(ParsingRequest request) {
        BpfContext context = BpfContext.get(null);
        BpfModule module;
        try {
            module = ModuleLoader.load(this, context, request.getSource());
        } catch (BpfError e) {
            throw BpfGuestException.of(e, null);
        }
        return new ModuleRootNode(this, module).getCallTarget();
    }

    /** What evaluating a source returns: the module, built once at parse time. */
    private static final class ModuleRootNode extends RootNode {
        private final BpfModule module;

        ModuleRootNode(BpfLanguage language, BpfModule module) {
            super(language);
            this.module = module;
        }

        @Override
        public Object execute(VirtualFrame frame) {
            return module;
        }
    }
}
