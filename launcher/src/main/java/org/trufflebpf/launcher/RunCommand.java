package org.trufflebpf.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.trufflebpf.fuzz.DifferentialRunner;

import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code bpf run FILE [--program NAME] [--data FILE | --packet HEX] [--ctx FILE [--ctx-out FILE]] [--maps] [--context TYPE]}:
 * loads the file through the Polyglot API, runs one program over the input and prints r0 (with {@code --ctx}, the
 * context after the run; with {@code --maps}, every map afterwards; with {@code --json}, all of it as one JSON document). A conformance {@code .data} file runs its program over its own {@code -- mem} bytes.
 */
final class RunCommand implements BpfCommand.Subcommand {
    private static final String[] XDP_ACTIONS = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"};
    /** tc's verdicts from TC_ACT_OK (0) on; TC_ACT_UNSPEC is -1. */
    private static final String[] TC_ACTIONS = {"TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE", "TC_ACT_STOLEN", "TC_ACT_QUEUED",
                    "TC_ACT_REPEAT", "TC_ACT_REDIRECT", "TC_ACT_TRAP"};

    @Override
    public CommandSpec spec() {
        CommandSpec spec = Arguments.command("run", "Runs a program once (or over a capture with --pcap) and prints r0, with the XDP or tc action by name.");
        Arguments.positional(spec, "FILE", "the program: assembly (.s), ELF object (.o), raw bytes or a conformance .data file");
        Arguments.option(spec, "--program", "NAME", "the program to run (by name, or by section when that is unique); default the first");
        Arguments.option(spec, "--data", "FILE", "the input memory or packet, from a file");
        Arguments.option(spec, "--packet", "HEX", "the input packet as hex bytes, e.g. 'ffff0000 0800'");
        Arguments.option(spec, "--ctx", "FILE", "the context input (struct __sk_buff or xdp_md bytes), as BPF_PROG_TEST_RUN takes it");
        Arguments.option(spec, "--ctx-out", "FILE", "write the context after the run (with --ctx)");
        Arguments.option(spec, "--tunnel", "id=N,remote=IP,local=IP,...", "received tunnel metadata for the skb_get_tunnel_* helpers");
        Arguments.option(spec, "--fib", "FILE", "the routing table bpf_fib_lookup sees (dev, route, neigh and local lines)");
        Arguments.option(spec, "--probe-memory", "FILE", "the memory bpf_probe_read* sees (lines of 0xADDR HEX)");
        Arguments.option(spec, "--cgroup", "PATH", "the cgroup v2 path of the run's task and packet socket (default /)");
        Arguments.option(spec, "--cgroup-array", "MAP:SLOT=PATH,...", "cgroups to put in cgroup array slots before the run");
        Arguments.option(spec, "--pcap", "IN.pcap[ng]", "run once per packet of this capture and print the verdicts by name with counts");
        Arguments.option(spec, "--out", "OUT.pcap", "with --pcap, write the packets the program let through, as it left them");
        Arguments.flag(spec, "--quiet", "with --pcap, no progress bar (there is none when stderr is not a terminal)");
        Arguments.flag(spec, "--maps", "print the maps afterwards, decoded with BTF where the object has it");
        Arguments.flag(spec, "--all", "with --maps, every slot, also those that are zero");
        Arguments.flag(spec, "--json", "print one JSON document (see the README for its fields)");
        Arguments.option(spec, "--context", "raw|socket|tc|xdp", "the program's context type");
        Arguments.option(spec, "--tail-call-abi", "counter-by-value|shared", "how the tail-call counter passes between programs");
        Arguments.option(spec, "--limit", "N", "stop the run after N instructions");
        Arguments.option(spec, "--seed", "N", "the seed of the clock and random helpers");
        Arguments.option(spec, "--engine", "interpreter|native|kernel|all", "the engine (all: every engine on every packet, with --pcap)");
        Arguments.flag(spec, "--unverified", "run without the verifier (replays what bpf fuzz --launder runs)");
        Arguments.option(spec, "--repeat", "N", "run N times (the maps keep what every run did)");
        Arguments.optionalValue(spec, "--inspect", "HOST:PORT", "debug in Chrome DevTools, stopped at the first line");
        Arguments.optionalValue(spec, "--dap", "HOST:PORT", "debug from an editor (Debug Adapter Protocol)");
        Arguments.flag(spec, "--cpusampler", "profile: the hot functions and C lines");
        Arguments.optionalValue(spec, "--coverage", "FILE", "LCOV line coverage, printed after the run or written to FILE");
        return spec;
    }

    @Override
    public int run(Arguments arguments, PrintStream out, PrintStream err) throws Exception {
        Path file = Path.of(arguments.file());
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (arguments.option("--data") != null && arguments.option("--packet") != null) {
            throw new UsageException("give --data or --packet, not both");
        }
        if (arguments.option("--ctx-out") != null && arguments.option("--ctx") == null) {
            throw new UsageException("--ctx-out needs --ctx (the kernel reports the context only for a context input)");
        }
        if (arguments.flag("--all") && !arguments.flag("--maps") && arguments.option("--pcap") == null) {
            throw new UsageException("--all goes with --maps (it shows every slot of the maps printed)");
        }
        String limit = positiveNumber(arguments.option("--limit"), "--limit");
        String contextIn = arguments.option("--ctx") == null ? null : ContextFile.optionValue(Path.of(arguments.option("--ctx")));
        boolean json = arguments.flag("--json");
        // In JSON mode the program's trace output is gathered into the document rather than mixed into stdout.
        ByteArrayOutputStream trace = new ByteArrayOutputStream();
        // The routing table bpf_fib_lookup sees (FibTable's format).
        String fib = arguments.option("--fib") == null ? null : Files.readString(Path.of(arguments.option("--fib")));
        // The memory bpf_probe_read* sees (ProbeMemory's format).
        String probeMemory = arguments.option("--probe-memory") == null ? null : Files.readString(Path.of(arguments.option("--probe-memory")));
        Function<String, Context.Builder> builders = engine -> {
            Context.Builder engineBuilder = arguments.contextBuilder().out(json ? trace : out).err(err)
                            .allowHostAccess(HostAccess.newBuilder().allowArrayAccess(true).allowBufferAccess(true).build());
            setOption(engineBuilder, "bpf.Context", arguments.option("--context"));
            setOption(engineBuilder, "bpf.TailCallAbi", arguments.option("--tail-call-abi"));
            setOption(engineBuilder, "bpf.InstructionLimit", limit);
            setOption(engineBuilder, "bpf.Seed", arguments.option("--seed"));
            setOption(engineBuilder, "bpf.Engine", engine);
            setOption(engineBuilder, "bpf.ContextIn", contextIn);
            setOption(engineBuilder, "bpf.Fib", fib);
            setOption(engineBuilder, "bpf.ProbeMemory", probeMemory);
            setOption(engineBuilder, "bpf.Cgroup", arguments.option("--cgroup"));
            // Replays programs the laundering fuzzer runs without the verifier (bpf fuzz --launder).
            setOption(engineBuilder, "bpf.Verify", arguments.flag("--unverified") ? "false" : null);
            return engineBuilder;
        };
        if (arguments.option("--out") != null && arguments.option("--pcap") == null) {
            throw new UsageException("--out goes with --pcap (it writes the packets the program let through)");
        }
        if (arguments.option("--pcap") != null) {
            return runCapture(arguments, file, builders, json ? trace : null, out, err);
        }
        if ("all".equals(arguments.option("--engine"))) {
            throw new UsageException("--engine all goes with --pcap (it compares the engines packet by packet)");
        }
        Context.Builder builder = builders.apply(arguments.option("--engine"));
        boolean tools = Tools.configure(builder, arguments);
        if (tools && arguments.option("--engine") != null && !arguments.option("--engine").equals("interpreter")) {
            throw new UsageException("--inspect, --dap, --cpusampler and --coverage see the interpreter engine only, not --engine " + arguments.option("--engine"));
        }
        long repeat = arguments.option("--repeat") == null ? 1 : Long.parseLong(positiveNumber(arguments.option("--repeat"), "--repeat"));
        try (Context context = BpfCommand.buildContext(builder)) {
            Value module = context.eval(source(file));
            Value program = program(module, arguments.option("--program"), file);
            byte[] data = inputMemory(module);
            if (arguments.option("--tunnel") != null) {
                // Received tunnel metadata, as a tunnel device gives it (see TunnelInfo for the fields).
                program.invokeMember("setTunnel", arguments.option("--tunnel"));
            }
            if (arguments.option("--cgroup-array") != null) {
                setCgroups(module, arguments.option("--cgroup-array"));
            }
            if (arguments.option("--data") != null) {
                data = InputFiles.read(Path.of(arguments.option("--data")), InputFiles.MAX_DATA_BYTES, "data");
            } else if (arguments.option("--packet") != null) {
                data = parseHex(arguments.option("--packet"));
            }
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("file", file.toString());
            document.put("program", program.getMember("name").asString());
            document.put("type", program.getMember("type").asString());
            long r0;
            if (arguments.option("--ctx") != null) {
                // The context input comes from bpf.ContextIn; the run hands back the context as ctx_out.
                Value result = null;
                for (long i = 0; i < repeat; i++) {
                    result = program.invokeMember("executeWithContext", data == null ? new byte[0] : data);
                }
                r0 = result.getArrayElement(0).asLong();
                byte[] contextOut = bytes(result.getArrayElement(1));
                if (json) {
                    putResult(document, r0, program);
                    document.put("context_out", HexFormat.of().formatHex(contextOut));
                } else {
                    out.println(describe(r0, program));
                    out.println(ContextFile.describe(contextOut, program.getMember("type").asString()));
                }
                if (arguments.option("--ctx-out") != null) {
                    Files.write(Path.of(arguments.option("--ctx-out")), contextOut);
                }
            } else {
                r0 = 0;
                // Repeated runs give a sampler a long run to look at; the maps keep what every run did.
                for (long i = 0; i < repeat; i++) {
                    r0 = (data == null ? program.execute() : program.execute((Object) data)).asLong();
                }
                if (json) {
                    putResult(document, r0, program);
                } else {
                    out.println(describe(r0, program));
                }
            }
            Value redirect = program.getMember("redirect");
            if (redirect != null && !redirect.isNull()) {
                long flags = redirect.getMember("flags").asLong();
                String neighbour = "";
                if (redirect.hasMember("neighbour") && redirect.getMember("neighbour").asBoolean()) {
                    Value nexthop = redirect.getMember("nexthop");
                    neighbour = nexthop.isNull() ? " via neighbour" : " via neighbour " + nexthop.asString();
                }
                if (json) {
                    Map<String, Object> target = JsonWriter.object("ifindex", redirect.getMember("ifindex").asLong(), "ingress", (flags & 1) != 0, "flags", flags);
                    if (redirect.hasMember("map")) {
                        target.put("map", redirect.getMember("map").asString());
                        target.put("key", redirect.getMember("key").asLong());
                    }
                    if (redirect.hasMember("neighbour")) {
                        target.put("neighbour", redirect.getMember("neighbour").asBoolean());
                        target.put("nexthop", redirect.getMember("nexthop").isNull() ? null : redirect.getMember("nexthop").asString());
                    }
                    document.put("redirect", target);
                } else if (redirect.hasMember("map")) {
                    // bpf_redirect_map: the map and key, with a devmap entry's ifindex.
                    long ifindex = redirect.getMember("ifindex").asLong();
                    out.println("redirect: map '" + redirect.getMember("map").asString() + "' key " + redirect.getMember("key").asLong()
                                    + (ifindex != 0 ? " (ifindex " + ifindex + ")" : "") + (flags != 0 ? String.format(" (flags 0x%x)", flags) : ""));
                } else {
                    out.println("redirect: ifindex " + redirect.getMember("ifindex").asLong() + ((flags & 1) != 0 ? " ingress" : " egress")
                                    + (flags > 1 ? String.format(" (flags 0x%x)", flags) : "") + neighbour);
                }
            }
            Value tunnel = program.getMember("tunnel");
            if (tunnel != null && !tunnel.isNull()) {
                if (json) {
                    document.put("tunnel", tunnel.getMember("text").asString());
                } else {
                    out.println("tunnel: " + tunnel.getMember("text").asString());
                }
            }
            Value clones = program.getMember("clones");
            if (clones != null && !clones.isNull()) {
                List<Object> cloneRecords = new ArrayList<>();
                for (long i = 0; i < clones.getArraySize(); i++) {
                    Value clone = clones.getArrayElement(i);
                    Value packet = clone.getMember("packet");
                    byte[] bytes = new byte[(int) packet.getBufferSize()];
                    packet.readBuffer(0, bytes, 0, bytes.length);
                    String hex = HexFormat.of().formatHex(bytes);
                    if (json) {
                        cloneRecords.add(JsonWriter.object("ifindex", clone.getMember("ifindex").asLong(), "flags", clone.getMember("flags").asLong(), "packet", hex));
                    } else {
                        out.println("clone: ifindex " + clone.getMember("ifindex").asLong() + ((clone.getMember("flags").asLong() & 1) != 0 ? " ingress" : " egress")
                                        + ", " + bytes.length + " bytes: " + hex);
                    }
                }
                if (json && !cloneRecords.isEmpty()) {
                    document.put("clones", cloneRecords);
                }
            }
            if (json) {
                document.put("trace", traceLines(trace));
                if (arguments.flag("--maps")) {
                    document.put("maps", module.invokeMember("mapRecords", arguments.flag("--all")));
                }
                out.println(JsonWriter.write(document));
            } else if (arguments.flag("--maps")) {
                out.print(module.invokeMember("mapDump", arguments.flag("--all")).asString());
            }
            return 0;
        }
    }

    /** r0 and, for an XDP or tc program, the action it names (else null). */
    private static void putResult(Map<String, Object> document, long r0, Value program) {
        document.put("r0", r0);
        document.put("action", actionName(program.getMember("type").asString(), r0));
    }

    /** The trace output gathered in JSON mode, a line each. */
    static List<String> traceLines(ByteArrayOutputStream trace) {
        return trace.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** {@code trace} is where the program's trace output went in JSON mode, null otherwise. */
    /** {@code --cgroup-array cgroups:0=/,1=/app}: each slot of the named cgroup array gets the cgroup at its path. */
    private static void setCgroups(Value module, String spec) throws UsageException {
        String map = null;
        for (String item : spec.split(",")) {
            String entry = item.strip();
            int colon = entry.indexOf(':');
            int equals = entry.indexOf('=');
            if (colon > 0 && colon < equals) {
                map = entry.substring(0, colon);
                entry = entry.substring(colon + 1);
                equals = entry.indexOf('=');
            }
            if (map == null || equals <= 0) {
                throw new UsageException("--cgroup-array takes MAP:SLOT=PATH, more slots of the same map as ,SLOT=PATH; not '" + item + "'");
            }
            if (!module.hasMember(map) || !module.getMember(map).hasArrayElements()) {
                throw new UsageException("--cgroup-array: the object has no cgroup array '" + map + "'");
            }
            long slot;
            try {
                slot = Long.parseLong(entry.substring(0, equals).strip());
            } catch (NumberFormatException e) {
                throw new UsageException("--cgroup-array: slot '" + entry.substring(0, equals) + "' is not a number");
            }
            long slots = module.getMember(map).getArraySize();
            if (slot < 0 || slot >= slots) {
                throw new UsageException("--cgroup-array: slot " + slot + " is past the end of '" + map + "' (" + slots + " slots)");
            }
            module.getMember(map).setArrayElement(slot, entry.substring(equals + 1).strip());
        }
    }

    private int runCapture(Arguments arguments, Path file, Function<String, Context.Builder> builders, ByteArrayOutputStream trace, PrintStream out, PrintStream err)
                    throws Exception {
        for (String other : List.of("--data", "--packet", "--ctx", "--repeat")) {
            if (arguments.option(other) != null) {
                throw new UsageException("--pcap gives the packets; it does not go with " + other);
            }
        }
        if (arguments.flag("--inspect") || arguments.flag("--dap") || arguments.flag("--cpusampler") || arguments.flag("--coverage") || arguments.option("--inspect") != null
                        || arguments.option("--dap") != null || arguments.option("--coverage") != null) {
            throw new UsageException("--pcap does not go with the debugging and profiling tools");
        }
        Path capture = Path.of(arguments.option("--pcap"));
        List<CapturedPacket> packets = PcapReader.read(capture);
        String engine = arguments.option("--engine");
        List<String> engines;
        if ("all".equals(engine)) {
            String kernel = DifferentialRunner.probeKernel(Map.of());
            if (kernel != null) {
                err.println("bpf run: comparing interpreter and native only; kernel engine: " + kernel);
            }
            engines = kernel == null ? PcapRun.ALL_ENGINES : PcapRun.ALL_ENGINES.subList(0, 2);
        } else {
            engines = Collections.singletonList(engine);
        }
        Path outFile = arguments.option("--out") == null ? null : Path.of(arguments.option("--out"));
        try (Progress progress = Progress.onTerminal(err, arguments.flag("--quiet"), "bpf run --pcap")) {
            return PcapRun.run(packets, capture, outFile, source(file), arguments.option("--program"), file, engines, builders, arguments.flag("--all"), trace, progress, out);
        } catch (PolyglotException e) {
            if (e.isGuestException() || e.isSyntaxError()) {
                err.println(e.getMessage());
                return BpfCommand.EXIT_REJECTED;
            }
            if (e.isHostException() && e.asHostException() instanceof IllegalArgumentException bad) {
                err.println("bpf run: " + bad.getMessage());
                return BpfCommand.EXIT_USAGE;
            }
            throw e;
        } catch (IllegalArgumentException e) {
            err.println("bpf run: " + e.getMessage());
            return BpfCommand.EXIT_USAGE;
        }
    }

    /** A number option's text, checked here so that a bad one is a usage error naming the flag. */
    static String positiveNumber(String value, String flag) throws UsageException {
        if (value == null) {
            return null;
        }
        try {
            if (Long.parseLong(value) > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(flag + " takes a positive number, not '" + value + "'");
    }

    private static void setOption(Context.Builder builder, String key, String value) {
        if (value != null) {
            builder.option(key, value);
        }
    }

    /**
     * The file as a source for the language. A file the language has no MIME type for (a conformance {@code .data}
     * file, an unknown extension) goes as bytes under its path, and the language tells the format from them.
     */
    static Source source(Path file) throws IOException, BadInputException {
        String name = file.toString();
        InputFiles.check(file, InputFiles.MAX_PROGRAM_BYTES, "a program");
        if (Source.findMimeType(file.toFile()) == null || !Files.isRegularFile(file)) {
            // No extension we know, or a device or pipe that would be read without end: read here, with the bound.
            return Source.newBuilder("bpf", ByteSequence.create(InputFiles.read(file, InputFiles.MAX_PROGRAM_BYTES, "a program")), name)
                            .mimeType("application/x-bpf").build();
        }
        return Source.newBuilder("bpf", file.toFile()).build();
    }

    /** The bytes a conformance file gives its program ({@code -- mem}), or null. */
    static byte[] inputMemory(Value module) {
        Value memory = module.invokeMember("inputMemory");
        if (memory.isNull()) {
            return null;
        }
        byte[] bytes = new byte[(int) memory.getBufferSize()];
        memory.readBuffer(0, bytes, 0, bytes.length);
        return bytes;
    }

    static Value program(Value module, String wanted, Path file) throws UsageException {
        if (wanted == null) {
            // The first program of the file, as the module itself would run.
            for (String key : module.getMemberKeys()) {
                if (module.getMember(key).canExecute()) {
                    return module.getMember(key);
                }
            }
            throw new UsageException(file + " holds no program");
        }
        if (module.hasMember(wanted) && module.getMember(wanted).canExecute()) {
            return module.getMember(wanted);
        }
        // Else the one program of that section, as libbpf users name programs.
        Value inSection = null;
        for (String key : module.getMemberKeys()) {
            Value candidate = module.getMember(key);
            if (candidate.canExecute() && wanted.equals(candidate.getMember("section").asString())) {
                if (inSection != null) {
                    throw new UsageException(file + ": section '" + wanted + "' holds several programs; name one (programs: " + programNames(module) + ")");
                }
                inSection = candidate;
            }
        }
        if (inSection == null) {
            throw new UsageException(file + " has no program or section named '" + wanted + "' (programs: " + programNames(module) + ")");
        }
        return inSection;
    }

    static String programNames(Value module) {
        StringBuilder names = new StringBuilder();
        for (String key : module.getMemberKeys()) {
            if (module.getMember(key).canExecute()) {
                names.append(names.isEmpty() ? "" : ", ").append(key);
            }
        }
        return names.toString();
    }

    static byte[] parseHex(String text) throws UsageException {
        String digits = text.replaceAll("[\\s:]", "");
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
        }
        try {
            return HexFormat.of().parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--packet wants hex bytes, e.g. 'ffff0000 0800': " + e.getMessage());
        }
    }

    private static byte[] bytes(Value buffer) {
        byte[] bytes = new byte[(int) buffer.getBufferSize()];
        buffer.readBuffer(0, bytes, 0, bytes.length);
        return bytes;
    }

    /** r0 with the action it stands for in an XDP or tc program. */
    static String describe(long r0, Value program) {
        String text = String.format("r0 = %d (0x%x)", r0, r0);
        Value type = program.hasMember("type") ? program.getMember("type") : null;
        String name = type != null && type.isString() ? actionName(type.asString(), r0) : null;
        return name == null ? text : text + " " + name;
    }

    /** The action's name for a program of {@code type} ("xdp", "sched_cls"), or null; the kernel reads r0's low 32 bits as an int. */
    static String actionName(String type, long r0) {
        if (r0 != (int) r0 && (r0 >>> 32) != 0) {
            return null;
        }
        int action = (int) r0;
        if (type.equals("xdp")) {
            return action >= 0 && action < XDP_ACTIONS.length ? XDP_ACTIONS[action] : null;
        }
        if (type.equals("sched_cls")) {
            return action == -1 ? "TC_ACT_UNSPEC" : action >= 0 && action < TC_ACTIONS.length ? TC_ACTIONS[action] : null;
        }
        return null;
    }
}
