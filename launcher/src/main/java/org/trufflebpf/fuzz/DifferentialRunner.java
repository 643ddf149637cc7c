package org.trufflebpf.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/**
 * Runs programs on the interpreter and the native engine side by side through the Polyglot API: two
 * contexts with the same options (same seed for the clock and random helpers, same budget), and compares
 * what each run did ({@link Outcome}). Contexts are renewed every few hundred loads so that long campaigns
 * do not accumulate modules.
 */
public final class DifferentialRunner implements AutoCloseable {
    public static final String INTERPRETER = "interpreter";
    public static final String NATIVE = "native";
    private static final int LOADS_PER_CONTEXT = 400;

    private final Map<String, String> options;
    private final Map<String, String> nativeOptions;
    private Context interpreter;
    private Context nativeEngine;
    /** What each context's programs print (trace_printk), taken after each run. */
    private final ByteArrayOutputStream interpreterOutput = new ByteArrayOutputStream();
    private final ByteArrayOutputStream nativeOutput = new ByteArrayOutputStream();
    private int loads;
    /** Non-null: runs are also scanned for host values (see {@link #scanHostValues()}). */
    private HostValueScan hostValues;

    /** Both engines' results for one run, and where they differ (empty: they agree). */
    public record Comparison(Outcome interpreter, Outcome nativeEngine, List<String> differences) {
        public boolean diverges() {
            return !differences.isEmpty();
        }

        public String report() {
            StringBuilder sb = new StringBuilder();
            sb.append("  interpreter: ").append(interpreter.summary()).append('\n');
            sb.append("  native:      ").append(nativeEngine.summary()).append('\n');
            for (String d : differences) {
                sb.append("  differs in ").append(d).append('\n');
            }
            return sb.toString();
        }
    }

    /** A source loaded into both contexts; its programs run, and its maps persist, across steps. */
    public record Loaded(Value interpreter, Value nativeEngine, Outcome rejection, Outcome nativeRejection) {
        public boolean rejected() {
            return rejection != null || nativeRejection != null;
        }
    }

    /** @param options polyglot options both contexts get (e.g. {@code bpf.Seed}, {@code bpf.InstructionLimit}) */
    public DifferentialRunner(Map<String, String> options) {
        this(options, Map.of());
    }

    /**
     * @param options       polyglot options both contexts get
     * @param nativeOptions options only the native engine's context gets, overriding: a deliberate
     *                      difference, so that tests can check that divergences are seen and reduced
     */
    public DifferentialRunner(Map<String, String> options, Map<String, String> nativeOptions) {
        this.options = Map.copyOf(options);
        this.nativeOptions = Map.copyOf(nativeOptions);
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

    private void open() {
        interpreter = context(INTERPRETER);
        nativeEngine = context(NATIVE);
        loads = 0;
    }

    private Context context(String engine) {
        Context.Builder builder = Context.newBuilder("bpf").allowExperimentalOptions(true)
                        .allowHostAccess(HostAccess.newBuilder().allowArrayAccess(true).allowBufferAccess(true).build())
                        .out(engine.equals(NATIVE) ? nativeOutput : interpreterOutput).err(OutputStream.nullOutputStream())
                        .option("bpf.Engine", engine);
        options.forEach(builder::option);
        if (engine.equals(NATIVE)) {
            nativeOptions.forEach(builder::option);
        }
        return builder.build();
    }

    /** Loads, runs once and compares. */
    public Comparison compare(DiffCase c) {
        Loaded loaded = load(c);
        return run(loaded, c.program(), c.tailCallAbi(), c.input());
    }

    /** Loads the case's source into both contexts (a rejection is kept as the outcome of its runs). */
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
            a = interpreter.eval(c.source());
        } catch (PolyglotException e) {
            ra = failure(e, null, Map.of(), "");
        }
        try {
            b = nativeEngine.eval(c.source());
        } catch (PolyglotException e) {
            rb = failure(e, null, Map.of(), "");
        }
        return new Loaded(a, b, ra, rb);
    }

    /** Runs a program of a loaded source on both engines over a copy each of {@code input}, then compares. */
    public Comparison run(Loaded loaded, String program, byte[] input) {
        return run(loaded, program, null, input);
    }

    /** As {@link #run(Loaded, String, byte[])}, under a tail-call ABI ({@code withTailCallAbi}; null: the context's). */
    public Comparison run(Loaded loaded, String program, String tailCallAbi, byte[] input) {
        Outcome a = loaded.rejection() != null ? loaded.rejection() : run(loaded.interpreter(), interpreterOutput, program, tailCallAbi, input);
        Outcome b = loaded.nativeRejection() != null ? loaded.nativeRejection() : run(loaded.nativeEngine(), nativeOutput, program, tailCallAbi, input);
        List<String> differences = a.differences(b);
        if (hostValues != null) {
            differences = new ArrayList<>(differences);
            addLeaks(INTERPRETER, hostValues.leaks(a, input, List.of()), differences);
            addLeaks(NATIVE, hostValues.leaks(b, input, List.of()), differences);
        }
        return new Comparison(a, b, differences);
    }

    /** One line per engine, so that a reduction keeps the same fields while the leak's place moves. */
    private static void addLeaks(String engine, List<String> leaks, List<String> differences) {
        if (!leaks.isEmpty()) {
            differences.add("host value on " + engine + ": " + String.join(", ", leaks));
        }
    }

    /** Each engine's module, to drive host steps (map updates, slot changes) on both alike. */
    public static Value[] modules(Loaded loaded) {
        return new Value[] {loaded.interpreter(), loaded.nativeEngine()};
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
                Value iterator = map.getHashEntriesIterator();
                while (iterator.hasIteratorNextElement()) {
                    Value entry = iterator.getIteratorNextElement();
                    entries.add(show(entry.getArrayElement(0)) + "=" + show(entry.getArrayElement(1)));
                }
                // Hash iteration order is the map's own; both engines' maps must hold the same set.
                entries.sort(null);
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
        interpreter.close(true);
        nativeEngine.close(true);
    }
}
