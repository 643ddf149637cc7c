package org.trufflebpf.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * Runs programs on the interpreter and the native engine side by side through the Polyglot API: two
 * contexts with the same options (same seed for the clock and random helpers, same budget), and compares
 * what each run did ({@link Outcome}). Where the host kernel can run programs ({@code bpf.Engine=kernel}) and the
 * program has a kernel counterpart (a packet context), a third context runs it in the kernel, unverified by ours
 * so that the kernel's verifier gives its own verdict, and the verdict, r0, the packet and every map are compared
 * with ours too; {@link KernelDifferences} is where the kernel may differ by design. Contexts are renewed every few
 * hundred loads so that long campaigns do not accumulate modules.
 */
public final class DifferentialRunner implements AutoCloseable {
    public static final String INTERPRETER = "interpreter";
    public static final String NATIVE = "native";
    public static final String KERNEL = "kernel";
    private static final int LOADS_PER_CONTEXT = 400;
    private static final String DEFAULT_TAIL_CALL_ABI = "counter-by-value";

    /** How the kernel took part in a comparison; the comparison's {@code kernelNote} says why where it did not fully. */
    public enum KernelResult {
        /** Not run: no kernel engine here, or no kernel counterpart for this program or input. */
        NOT_RUN,
        /** Verdicts compared, and for accepted programs r0, packet and maps; any difference is one of the comparison's. */
        COMPARED,
        /** Compared, and the kernel differed only where {@link KernelDifferences} allows it. */
        MASKED,
        /** The kernel's verifier rejected what ours accepted: no divergence (ours is not yet kernel-grade), counted apart. */
        ONLY_KERNEL_REJECTS
    }

    private final Map<String, String> options;
    private final Map<String, String> nativeOptions;
    private final Map<String, String> kernelOptions;
    /** Which of our two engines run: both, or one of them beside the kernel. */
    private final Set<String> ours;
    /** Why no kernel context runs programs here (one line), or null when it does. */
    private final String kernelUnavailable;
    private Context interpreter;
    private Context nativeEngine;
    private Context kernel;
    /** Reads sources without preparing them ({@code bpf.Prepare=false}), for their {@link ModuleFacts}. */
    private Context inspector;
    /** What each context's programs print (trace_printk), taken after each run. */
    private final ByteArrayOutputStream interpreterOutput = new ByteArrayOutputStream();
    private final ByteArrayOutputStream nativeOutput = new ByteArrayOutputStream();
    private final ByteArrayOutputStream kernelOutput = new ByteArrayOutputStream();
    private int loads;
    /** Non-null: runs are also scanned for host values (see {@link #scanHostValues()}). */
    private HostValueScan hostValues;

    /**
     * The engines' results for one run, and where they differ (empty: they agree). {@code kernel} is null when the
     * kernel did not run; {@code kernelNote} says why, or which by-design difference masked its results, or the
     * kernel verifier's reason for an {@link KernelResult#ONLY_KERNEL_REJECTS} (null when fully compared).
     * {@code interpreter} or {@code nativeEngine} is null when that engine takes no part (the runner's {@code ours}).
     */
    public record Comparison(Outcome interpreter, Outcome nativeEngine, Outcome kernel, KernelResult kernelResult, String kernelNote,
                    List<String> differences) {
        public boolean diverges() {
            return !differences.isEmpty();
        }

        /** The result of our first engine that ran: the interpreter's, else the native engine's. */
        public Outcome ours() {
            return interpreter != null ? interpreter : nativeEngine;
        }

        public String report() {
            StringBuilder sb = new StringBuilder();
            if (interpreter != null) {
                sb.append("  interpreter: ").append(interpreter.summary()).append('\n');
            }
            if (nativeEngine != null) {
                sb.append("  native:      ").append(nativeEngine.summary()).append('\n');
            }
            if (kernel != null) {
                sb.append("  kernel:      ").append(kernel.summary()).append('\n');
            }
            if (kernelNote != null && kernelResult != KernelResult.ONLY_KERNEL_REJECTS) {
                // (The kernel's rejection is its summary line already.)
                sb.append("  kernel ").append(kernelResult.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(": ").append(kernelNote).append('\n');
            }
            for (String d : differences) {
                sb.append("  differs in ").append(d).append('\n');
            }
            return sb.toString();
        }
    }

    /**
     * A source loaded into every context; its programs run, and its maps persist, across steps. The kernel's
     * module is null when {@code kernelAbsence} says why it was not loaded, or when the kernel rejected the
     * source ({@code kernelRejection}). {@code kernelProgArrays} holds the kernel module's prog arrays as loaded:
     * slots changed from the host after that are not in the kernel.
     */
    public record Loaded(Value interpreter, Value nativeEngine, Outcome rejection, Outcome nativeRejection, Value kernel, Outcome kernelRejection,
                    String kernelAbsence, ModuleFacts facts, Map<String, List<String>> kernelProgArrays) {
        /** Whether one of our engines rejected the source (a rejection by the kernel alone is not one). */
        public boolean rejected() {
            return rejection != null || nativeRejection != null;
        }
    }

    /** @param options polyglot options every context gets (e.g. {@code bpf.Seed}, {@code bpf.InstructionLimit}) */
    public DifferentialRunner(Map<String, String> options) {
        this(options, Map.of(), Map.of());
    }

    /**
     * @param options       polyglot options every context gets
     * @param nativeOptions options only the native engine's context gets, overriding: a deliberate
     *                      difference, so that tests can check that divergences are seen and reduced
     */
    public DifferentialRunner(Map<String, String> options, Map<String, String> nativeOptions) {
        this(options, nativeOptions, Map.of());
    }

    /** As {@link #DifferentialRunner(Map, Map)}, with options only the kernel's context gets, overriding. */
    public DifferentialRunner(Map<String, String> options, Map<String, String> nativeOptions, Map<String, String> kernelOptions) {
        this(options, nativeOptions, kernelOptions, Set.of(INTERPRETER, NATIVE));
    }

    /**
     * As above, with only {@code ours} of our two engines ({@link #INTERPRETER}, {@link #NATIVE}): with one of them the
     * kernel is the other side of every comparison, and programs it cannot run are compared with nothing.
     */
    public DifferentialRunner(Map<String, String> options, Map<String, String> nativeOptions, Map<String, String> kernelOptions, Set<String> ours) {
        if (ours.isEmpty() || !Set.of(INTERPRETER, NATIVE).containsAll(ours)) {
            throw new IllegalArgumentException("our engines are interpreter and native, at least one: " + ours);
        }
        this.ours = Set.copyOf(ours);
        this.options = Map.copyOf(options);
        this.nativeOptions = Map.copyOf(nativeOptions);
        this.kernelOptions = Map.copyOf(kernelOptions);
        Map<String, String> probeOptions = new HashMap<>(options);
        probeOptions.putAll(kernelOptions);
        this.kernelUnavailable = probeKernel(probeOptions);
        open();
    }

    /**
     * From now on, each comparison also reports host values found in either engine's results
     * ({@link HostValueScan}) as a difference {@code host value on ENGINE: ...}, so that campaigns treat a leak
     * like a divergence. Runs own no addresses here: the programs compared are not expected to store any.
     */
    public DifferentialRunner scanHostValues() {
        hostValues = new HostValueScan();
        return this;
    }

    /** Why programs do not run in the kernel here (one line), or null when packet programs do. */
    public String kernelUnavailable() {
        return kernelUnavailable;
    }

    /**
     * Why the kernel engine cannot load programs in a context with these options (one line), or null when it can:
     * loads a two-instruction XDP program, so that the engine itself gives its reason (bpf(2) refused,
     * {@code bpf.KernelEngine=disabled}, {@code TRUFFLEBPF_NO_KERNEL=1}).
     */
    public static String probeKernel(Map<String, String> options) {
        String name = "kernel-probe.s";
        // The probe is an XDP program whatever the options say, so that it reaches the kernel.
        try (Context probe = QuietContexts.builder(options).option("bpf.Engine", KERNEL).option("bpf.Verify", "false").option("bpf.Context", "").build()) {
            probe.eval(Source.newBuilder("bpf", ".program probe xdp\n    mov %r0, 0\n    exit\n", name).mimeType(DiffCase.ASM_MIME).buildLiteral());
            return null;
        } catch (PolyglotException e) {
            String message = e.getMessage();
            return message.startsWith(name + ": ") ? message.substring(name.length() + 2) : message;
        }
    }

    private void open() {
        interpreter = ours.contains(INTERPRETER) ? context(INTERPRETER) : null;
        nativeEngine = ours.contains(NATIVE) ? context(NATIVE) : null;
        kernel = kernelUnavailable == null ? context(KERNEL) : null;
        inspector = kernel == null ? null : QuietContexts.reader(options);
        loads = 0;
    }

    private Context context(String engine) {
        ByteArrayOutputStream out = switch (engine) {
            case NATIVE -> nativeOutput;
            case KERNEL -> kernelOutput;
            default -> interpreterOutput;
        };
        Context.Builder builder = Context.newBuilder("bpf").allowExperimentalOptions(true)
                        .allowHostAccess(HostAccess.newBuilder().allowArrayAccess(true).allowBufferAccess(true).build()).out(out)
                        .err(OutputStream.nullOutputStream()).option("bpf.Engine", engine);
        options.forEach(builder::option);
        if (engine.equals(NATIVE)) {
            nativeOptions.forEach(builder::option);
        }
        if (engine.equals(KERNEL)) {
            // The kernel's verifier alone decides what runs there, so that both verdicts can be compared.
            builder.option("bpf.Verify", "false");
            kernelOptions.forEach(builder::option);
        }
        return builder.build();
    }

    /** What the kernel comparison must know of the case's source; nothing for a source that does not parse. */
    private ModuleFacts facts(DiffCase c) {
        try {
            return ModuleFacts.of(inspector.eval(c.source()));
        } catch (PolyglotException e) {
            return ModuleFacts.NONE;
        }
    }

    /** Loads, runs once and compares. */
    public Comparison compare(DiffCase c) {
        Loaded loaded = load(c);
        return run(loaded, c.program(), c.tailCallAbi(), c.input());
    }

    /** Loads the case's source into every context (a rejection is kept as the outcome of its runs). */
    public Loaded load(DiffCase c) {
        if (++loads > LOADS_PER_CONTEXT) {
            close();
            open();
            loads = 1;
        }
        Value a = null;
        Value b = null;
        Outcome ra = null;
        Outcome rb = null;
        try {
            a = interpreter == null ? null : interpreter.eval(c.source());
        } catch (PolyglotException e) {
            ra = failure(e, null, Map.of(), "");
        }
        try {
            b = nativeEngine == null ? null : nativeEngine.eval(c.source());
        } catch (PolyglotException e) {
            rb = failure(e, null, Map.of(), "");
        }
        ModuleFacts facts = kernel == null ? ModuleFacts.NONE : facts(c);
        String absence = kernel == null ? kernelUnavailable : facts.hasPacketProgram() ? null : "raw-memory programs have no kernel counterpart";
        Value k = null;
        Outcome rk = null;
        Map<String, List<String>> progArrays = Map.of();
        if (absence == null) {
            try {
                k = kernel.eval(c.source());
                progArrays = progArrays(k, facts);
            } catch (PolyglotException e) {
                rk = failure(e, null, Map.of(), "");
            }
        }
        return new Loaded(a, b, ra, rb, k, rk, absence, facts, progArrays);
    }

    /** Runs a program of a loaded source on every engine over a copy each of {@code input}, then compares. */
    public Comparison run(Loaded loaded, String program, byte[] input) {
        return run(loaded, program, null, input);
    }

    /** As {@link #run(Loaded, String, byte[])}, under a tail-call ABI ({@code withTailCallAbi}; null: the context's). */
    public Comparison run(Loaded loaded, String program, String tailCallAbi, byte[] input) {
        if (loaded.kernel() != null && oursModule(loaded) != null) {
            alignKernelMaps(loaded);
        }
        Outcome a = interpreter == null ? null
                        : loaded.rejection() != null ? loaded.rejection() : run(loaded.interpreter(), interpreterOutput, program, tailCallAbi, input);
        Outcome b = nativeEngine == null ? null
                        : loaded.nativeRejection() != null ? loaded.nativeRejection() : run(loaded.nativeEngine(), nativeOutput, program, tailCallAbi, input);
        List<String> differences = new ArrayList<>(a != null && b != null ? a.differences(b) : List.of());
        if (hostValues != null) {
            if (a != null) {
                addLeaks(INTERPRETER, hostValues.leaks(a, input, List.of()), differences);
            }
            if (b != null) {
                addLeaks(NATIVE, hostValues.leaks(b, input, List.of()), differences);
            }
        }
        String abi = tailCallAbi != null ? tailCallAbi : options.getOrDefault("bpf.TailCallAbi", DEFAULT_TAIL_CALL_ABI);
        return withKernel(loaded, program, abi, input, a, b, differences);
    }

    /** The comparison with the kernel's verdict and run added (see {@link KernelResult}); the kernel is compared with our first engine. */
    private Comparison withKernel(Loaded loaded, String program, String abi, byte[] input, Outcome a, Outcome b, List<String> differences) {
        if (loaded.kernelAbsence() != null) {
            return new Comparison(a, b, null, KernelResult.NOT_RUN, loaded.kernelAbsence(), differences);
        }
        Outcome first = a != null ? a : b;
        boolean oursRejected = "rejected".equals(first.errorKind());
        if (loaded.kernelRejection() != null) {
            Outcome k = loaded.kernelRejection();
            if (oursRejected) {
                return new Comparison(a, b, k, KernelResult.COMPARED, null, differences);
            }
            return new Comparison(a, b, k, KernelResult.ONLY_KERNEL_REJECTS, k.error(), differences);
        }
        if (oursRejected) {
            String reason = KernelDifferences.explainVerdict(first);
            if (reason != null) {
                return new Comparison(a, b, null, KernelResult.MASKED, reason, differences);
            }
            differences.add("kernel verdict: ours rejected the source, the kernel accepted it");
            return new Comparison(a, b, null, KernelResult.COMPARED, null, differences);
        }
        String name = programNamed(loaded.kernel(), program).getMember("name").asString();
        String type = loaded.facts().typeOf(name);
        String notRun = KernelDifferences.notRunReason(type, input);
        if (notRun != null) {
            return new Comparison(a, b, null, KernelResult.NOT_RUN, notRun, differences);
        }
        Outcome k = run(loaded.kernel(), kernelOutput, name, null, KernelDifferences.kernelPacket(type, input));
        k = new Outcome(k.r0(), k.errorKind(), k.error(), KernelDifferences.comparablePacket(type, k.memory()), k.maps(), k.output(), -1);
        ModuleFacts facts = loaded.facts();
        List<String> kernelDifferences = KernelDifferences.comparable(first, facts).differences(KernelDifferences.comparable(k, facts));
        if (kernelDifferences.isEmpty()) {
            return new Comparison(a, b, k, KernelResult.COMPARED, null, differences);
        }
        boolean slotsChanged = !progArrays(loaded.kernel(), facts).equals(loaded.kernelProgArrays());
        String reason = KernelDifferences.explain(Outcome.fieldsOf(kernelDifferences), first, facts, abi, slotsChanged);
        if (reason != null) {
            return new Comparison(a, b, k, KernelResult.MASKED, reason, differences);
        }
        for (String d : kernelDifferences) {
            differences.add("kernel " + d);
        }
        return new Comparison(a, b, k, KernelResult.COMPARED, null, differences);
    }

    /**
     * Writes our maps' contents into the kernel module's maps where they differ, so that each kernel run starts
     * from the state ours start from: an earlier run the kernel could not make (a packet it refuses), or one whose
     * difference a listed reason explains, would otherwise leave the kernel's maps behind for every later run.
     * (The kernel engine copies its module's maps into the kernel before each run.) Prog arrays hold each context's
     * own programs and ring buffers are not read back: both stay as they are.
     */
    private static void alignKernelMaps(Loaded loaded) {
        Value ours = oursModule(loaded);
        Value kernelModule = loaded.kernel();
        for (String name : ours.getMemberKeys()) {
            Value map = ours.getMember(name);
            Value kernelMap = kernelModule.getMember(name);
            if (map.canExecute() || kernelMap == null || loaded.facts().progArrays().contains(name) || loaded.facts().ringBufs().contains(name)) {
                continue;
            }
            if (map.hasArrayElements()) {
                for (long i = 0; i < map.getArraySize(); i++) {
                    Value value = map.getArrayElement(i);
                    if (!show(value).equals(show(kernelMap.getArrayElement(i)))) {
                        kernelMap.setArrayElement(i, hostCopy(value));
                    }
                }
            } else if (map.hasHashEntries()) {
                if (entries(map).equals(entries(kernelMap))) {
                    continue;
                }
                for (Object key : hostKeys(kernelMap)) {
                    kernelMap.removeHashEntry(key);
                }
                Value iterator = map.getHashEntriesIterator();
                while (iterator.hasIteratorNextElement()) {
                    Value entry = iterator.getIteratorNextElement();
                    kernelMap.putHashEntry(hostCopy(entry.getArrayElement(0)), hostCopy(entry.getArrayElement(1)));
                }
            }
        }
    }

    /** A map value or key as a host value another context accepts: a number, or the bytes in a buffer. */
    private static Object hostCopy(Value value) {
        if (value.isNumber()) {
            return value.asLong();
        }
        byte[] bytes = new byte[(int) value.getBufferSize()];
        value.readBuffer(0, bytes, 0, bytes.length);
        return ByteBuffer.wrap(bytes);
    }

    private static List<Object> hostKeys(Value hash) {
        List<Object> keys = new ArrayList<>();
        Value iterator = hash.getHashEntriesIterator();
        while (iterator.hasIteratorNextElement()) {
            keys.add(hostCopy(iterator.getIteratorNextElement().getArrayElement(0)));
        }
        return keys;
    }

    /** The module's prog arrays as they are now, slot by slot. */
    private static Map<String, List<String>> progArrays(Value module, ModuleFacts facts) {
        Map<String, List<String>> arrays = new HashMap<>();
        for (String name : facts.progArrays()) {
            Value map = module.getMember(name);
            List<String> slots = new ArrayList<>();
            for (long i = 0; map != null && i < map.getArraySize(); i++) {
                slots.add(show(map.getArrayElement(i)));
            }
            arrays.put(name, slots);
        }
        return arrays;
    }

    /** One line per engine, so that a reduction keeps the same fields while the leak's place moves. */
    private static void addLeaks(String engine, List<String> leaks, List<String> differences) {
        if (!leaks.isEmpty()) {
            differences.add("host value on " + engine + ": " + String.join(", ", leaks));
        }
    }

    /** Our first engine's module: the interpreter's, else the native engine's (null when it did not load). */
    private static Value oursModule(Loaded loaded) {
        return loaded.interpreter() != null ? loaded.interpreter() : loaded.nativeEngine();
    }

    /** Each engine's module (those that loaded), to drive host steps (map updates, slot changes) on all alike. */
    public static Value[] modules(Loaded loaded) {
        return Stream.of(loaded.interpreter(), loaded.nativeEngine(), loaded.kernel()).filter(Objects::nonNull).toArray(Value[]::new);
    }

    private static Outcome run(Value module, ByteArrayOutputStream output, String programName, String tailCallAbi, byte[] input) {
        output.reset();
        Value program = programNamed(module, programName);
        if (tailCallAbi != null) {
            program = program.invokeMember("withTailCallAbi", tailCallAbi);
        }
        ByteBuffer memory = input == null ? null : ByteBuffer.wrap(input.clone());
        try {
            Value result = memory == null ? program.invokeMember("executeCounted") : program.invokeMember("executeCounted", memory);
            return new Outcome(result.getArrayElement(0).asLong(), null, null, bytes(memory), mapsOf(module), printed(output),
                            result.getArrayElement(1).asLong());
        } catch (PolyglotException e) {
            return failure(e, bytes(memory), mapsOf(module), printed(output));
        }
    }

    private static String printed(ByteArrayOutputStream output) {
        return output.toString(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer memory) {
        return memory == null ? null : memory.array();
    }

    private static Outcome failure(PolyglotException e, byte[] memory, Map<String, List<String>> maps, String output) {
        String kind = e.isSyntaxError() ? "rejected" : e.isGuestException() ? "runtime" : "internal";
        String message = e.getMessage();
        if (kind.equals("internal")) {
            // An engine crash: keep where it happened, since that is what a report needs.
            StackTraceElement[] trace = e.getStackTrace();
            message = message + (trace.length > 0 ? " at " + trace[0] : "");
        }
        return new Outcome(null, kind, message, memory, maps, output, -1);
    }

    static Value programNamed(Value module, String name) {
        if (name != null) {
            Value program = module.getMember(name);
            if (program == null || !program.canExecute()) {
                throw new IllegalArgumentException("no program named '" + name + "'");
            }
            return program;
        }
        for (String key : module.getMemberKeys()) {
            if (module.getMember(key).canExecute()) {
                return module.getMember(key);
            }
        }
        throw new IllegalArgumentException("the module holds no program");
    }

    /** Every map of the module, entry by entry, as text: what a run left behind. */
    static Map<String, List<String>> mapsOf(Value module) {
        Map<String, List<String>> maps = new LinkedHashMap<>();
        for (String key : module.getMemberKeys()) {
            Value map = module.getMember(key);
            if (map.canExecute()) {
                continue;
            }
            List<String> entries = new ArrayList<>();
            if (map.hasArrayElements()) {
                for (long i = 0; i < map.getArraySize(); i++) {
                    entries.add(show(map.getArrayElement(i)));
                }
            } else if (map.hasHashEntries()) {
                entries = entries(map);
            } else if (map.hasMember("consume")) {
                Value records = map.invokeMember("consume");
                for (long i = 0; i < records.getArraySize(); i++) {
                    entries.add(show(records.getArrayElement(i)));
                }
            } else {
                continue;
            }
            maps.put(key, entries);
        }
        return maps;
    }

    /** A hash map's entries as {@code key=value} lines, sorted: iteration order is each map's own. */
    private static List<String> entries(Value hash) {
        List<String> entries = new ArrayList<>();
        Value iterator = hash.getHashEntriesIterator();
        while (iterator.hasIteratorNextElement()) {
            Value entry = iterator.getIteratorNextElement();
            entries.add(show(entry.getArrayElement(0)) + "=" + show(entry.getArrayElement(1)));
        }
        entries.sort(null);
        return entries;
    }

    private static String show(Value value) {
        if (value.isNull()) {
            return "-";
        }
        if (value.isNumber()) {
            return Long.toString(value.asLong());
        }
        if (value.hasBufferElements()) {
            byte[] bytes = new byte[(int) value.getBufferSize()];
            value.readBuffer(0, bytes, 0, bytes.length);
            return HexFormat.of().formatHex(bytes);
        }
        if (value.canExecute() && value.hasMember("name")) {
            return "program " + value.getMember("name").asString();
        }
        if (value.hasMember("cpu") && value.hasMember("data")) {
            // A perf event array's record.
            return "cpu " + value.getMember("cpu").asInt() + ": " + show(value.getMember("data"));
        }
        if (value.hasArrayElements()) {
            StringBuilder sb = new StringBuilder("[");
            for (long i = 0; i < value.getArraySize(); i++) {
                sb.append(i == 0 ? "" : " ").append(show(value.getArrayElement(i)));
            }
            return sb.append(']').toString();
        }
        return value.toString();
    }

    @Override
    public void close() {
        if (interpreter != null) {
            interpreter.close(true);
        }
        if (nativeEngine != null) {
            nativeEngine.close(true);
        }
        if (kernel != null) {
            kernel.close(true);
            inspector.close(true);
        }
    }
}
