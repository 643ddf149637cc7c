package org.trufflebpf.launcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graalvm.polyglot.Context;

import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * A subcommand's arguments as picocli parsed them against the command's spec: the positional parameters, the
 * options with values, the flags, and the polyglot options ({@code --bpf.*}, {@code --engine.*}, {@code --log.*})
 * that go to every context the command builds, as GraalVM's own launchers pass them.
 */
final class Arguments {
    /** The option prefixes given to the polyglot context builder rather than to the command. */
    static final List<String> POLYGLOT_PREFIXES = List.of("--bpf.", "--engine.", "--log.");

    private final List<String> positional;
    private final Map<String, String> options;
    private final Set<String> flags;
    private final Map<String, String> polyglot;

    private Arguments(List<String> positional, Map<String, String> options, Set<String> flags, Map<String, String> polyglot) {
        this.positional = positional;
        this.options = options;
        this.flags = flags;
        this.polyglot = polyglot;
    }

    // Building a command's spec.

    /** A command spec named {@code bpf NAME} with its one-line description. */
    static CommandSpec command(String name, String... description) {
        CommandSpec spec = CommandSpec.create().name("bpf " + name);
        spec.usageMessage().description(description);
        // Declared here rather than as picocli's standard mixin, which reads annotations reflectively at every start.
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).arity("0").type(boolean.class).description("Show this help and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).arity("0").type(boolean.class).description("Print the version and exit.").build());
        return spec;
    }

    /** An option with a value ({@code --x V} or {@code --x=V}). */
    static void option(CommandSpec spec, String name, String label, String description) {
        spec.addOption(OptionSpec.builder(name).paramLabel(label).type(String.class).arity("1").description(description).build());
    }

    /** A flag. */
    static void flag(CommandSpec spec, String name, String description) {
        spec.addOption(OptionSpec.builder(name).type(boolean.class).arity("0").description(description).build());
    }

    /**
     * A flag whose value, when given, is attached only ({@code --inspect} or {@code --inspect=HOST:PORT}), so that the
     * word after it stays a positional parameter; {@link #optionalValueFlags} rewrites the bare form before parsing.
     */
    static void optionalValue(CommandSpec spec, String name, String label, String description) {
        spec.addOption(OptionSpec.builder(name).paramLabel(label).type(String.class).arity("0..1").description(description).build());
    }

    /** The one positional parameter ({@code FILE}); a missing one is the command's to report ({@link #file}). */
    static void positional(CommandSpec spec, String label, String description) {
        spec.addPositional(PositionalParamSpec.builder().paramLabel(label).type(String.class).arity("0..1").description(description).build());
    }

    /** Any number of positional parameters. */
    static void positionals(CommandSpec spec, String label, String description) {
        spec.addPositional(PositionalParamSpec.builder().paramLabel(label).type(String[].class).arity("0..*").description(description).build());
    }

    private static boolean isOptionalValue(OptionSpec option) {
        return option.arity().min() == 0 && option.arity().max() == 1 && option.type() == String.class;
    }

    // Before and after parsing.

    /** Takes the polyglot options out of {@code args}; a bare {@code --bpf.Verify} means "true", as in GraalVM's launchers. */
    static List<String> withoutPolyglotOptions(List<String> args, Map<String, String> polyglot) {
        List<String> rest = new ArrayList<>();
        boolean afterDoubleDash = false;
        for (String arg : args) {
            if (!afterDoubleDash && POLYGLOT_PREFIXES.stream().anyMatch(arg::startsWith)) {
                int eq = arg.indexOf('=');
                polyglot.put(arg.substring(2, eq < 0 ? arg.length() : eq), eq < 0 ? "true" : arg.substring(eq + 1));
            } else {
                afterDoubleDash |= arg.equals("--");
                rest.add(arg);
            }
        }
        return rest;
    }

    /**
     * The bare form of each optional-value option ({@code --inspect}) as {@code --inspect=}, which reads back as a
     * flag: picocli would otherwise take the next word (the FILE) as its value.
     */
    static List<String> optionalValueFlags(List<String> args, CommandSpec spec) {
        List<String> rest = new ArrayList<>(args.size());
        for (String arg : args) {
            OptionSpec option = spec.optionsMap().get(arg);
            rest.add(option != null && isOptionalValue(option) ? arg + "=" : arg);
        }
        return rest;
    }

    static Arguments of(ParseResult result, Map<String, String> polyglot) {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (ArgSpec arg : result.matchedArgs()) {
            if (arg instanceof PositionalParamSpec) {
                positional.addAll(arg.stringValues());
            } else if (arg instanceof OptionSpec option) {
                String name = option.longestName();
                if (option.arity().max() == 0) {
                    flags.add(name);
                } else {
                    // The last one counts when an option is given twice.
                    String value = option.stringValues().getLast();
                    if (value.isEmpty() && isOptionalValue(option)) {
                        flags.add(name);
                    } else {
                        options.put(name, value);
                    }
                }
            }
        }
        return new Arguments(positional, options, flags, new LinkedHashMap<>(polyglot));
    }

    // Reading them.

    /** The single input file. */
    String file() throws UsageException {
        if (positional.size() != 1) {
            throw new UsageException(positional.isEmpty() ? "missing FILE" : "expected one FILE, got " + positional);
        }
        return positional.get(0);
    }

    List<String> positional() {
        return positional;
    }

    String option(String name) {
        return options.get(name);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** The polyglot options given ({@code bpf.Verify} to {@code false}), in order. */
    Map<String, String> polyglotOptions() {
        return polyglot;
    }

    /** A builder for the language's context with the polyglot options given; what the command sets later overrides them. */
    Context.Builder contextBuilder() {
        Context.Builder builder = Context.newBuilder("bpf");
        polyglot.forEach(builder::option);
        return builder;
    }
}
