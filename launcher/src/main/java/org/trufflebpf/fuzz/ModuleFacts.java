package org.trufflebpf.fuzz;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.graalvm.polyglot.Value;

/**
 * What the comparison with the kernel needs to know about a module before it runs: each program's context type,
 * the helpers its programs call, and which maps are ring buffers or prog arrays ({@link KernelDifferences} decides
 * from these which differences are the kernel's by design). Read from the module's {@code facts()} member, so
 * that the language states these facts and the launcher only reads them.
 *
 * @param types      each program's context type as a program's {@code type} member
 *                   names it ({@link #RAW}, {@link #SOCKET_FILTER}, {@code sched_cls}, {@link #XDP}), in module order
 * @param helpers    the Linux names ({@code ktime_get_ns}, as in {@code BPF_FUNC_ktime_get_ns}) of every helper any
 *                   program calls with {@code call IMM}
 * @param ringBufs   the names of ring buffer maps
 * @param progArrays the names of prog arrays
 */
public record ModuleFacts(Map<String, String> types, Set<String> helpers, Set<String> ringBufs, Set<String> progArrays) {
    public static final String RAW = "raw";
    public static final String SOCKET_FILTER = "socket_filter";
    public static final String XDP = "xdp";

    /** Facts of a source that does not parse: no programs, nothing to compare. */
    static final ModuleFacts NONE = new ModuleFacts(Map.of(), Set.of(), Set.of(), Set.of());

    /** The facts of a module evaluated with {@code bpf.Prepare=false} (or any module: the member is always there). */
    public static ModuleFacts of(Value module) {
        Value facts = module.invokeMember("facts");
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> helpers = new TreeSet<>();
        Value programs = facts.getMember("programs");
        for (long i = 0; i < programs.getArraySize(); i++) {
            Value program = programs.getArrayElement(i);
            types.put(program.getMember("name").asString(), program.getMember("type").asString());
            Value called = program.getMember("helpers");
            for (long j = 0; j < called.getArraySize(); j++) {
                helpers.add(called.getArrayElement(j).asString());
            }
        }
        Set<String> ringBufs = new TreeSet<>();
        Set<String> progArrays = new TreeSet<>();
        Value maps = facts.getMember("maps");
        for (long i = 0; i < maps.getArraySize(); i++) {
            Value map = maps.getArrayElement(i);
            switch (map.getMember("type").asString()) {
                case "ringbuf" -> ringBufs.add(map.getMember("name").asString());
                case "prog_array" -> progArrays.add(map.getMember("name").asString());
                default -> {
                }
            }
        }
        return new ModuleFacts(Collections.unmodifiableMap(types), Set.copyOf(helpers), Set.copyOf(ringBufs), Set.copyOf(progArrays));
    }

    /** The type of the named program, or of the module's first when {@code program} is null; null when unknown. */
    public String typeOf(String program) {
        if (program != null) {
            return types.get(program);
        }
        return types.isEmpty() ? null : types.values().iterator().next();
    }

    /** Whether any program has a kernel counterpart (a packet context). */
    public boolean hasPacketProgram() {
        return types.values().stream().anyMatch(t -> !t.equals(RAW));
    }

    /** Whether some program calls the helper of this Linux name. */
    public boolean calls(String helper) {
        return helpers.contains(helper);
    }
}
