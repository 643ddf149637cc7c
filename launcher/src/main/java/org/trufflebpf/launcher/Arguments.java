package org.trufflebpf.launcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A subcommand's arguments: one positional file, options with values ({@code --x V} or {@code --x=V}), flags. */
final class Arguments {
    private final List<String> positional;
    private final Map<String, String> options;
    private final Set<String> flags;

    private Arguments(List<String> positional, Map<String, String> options, Set<String> flags) {
        this.positional = positional;
        this.options = options;
        this.flags = flags;
    }

    static Arguments parse(String[] args, List<String> valueOptions, List<String> flagOptions) throws UsageException {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                positional.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            if (flagOptions.contains(name) && eq < 0) {
                flags.add(name);
            } else if (valueOptions.contains(name)) {
                String value;
                if (eq > 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new UsageException(name + " needs a value");
                }
                options.put(name, value);
            } else {
                throw new UsageException("unknown option " + arg);
            }
        }
        return new Arguments(positional, options, flags);
    }

    /** The single input file. */
    String file() throws UsageException {
        if (positional.size() != 1) {
            throw new UsageException(positional.isEmpty() ? "missing FILE" : "expected one FILE, got " + positional);
        }
        return positional.get(0);
    }

    String option(String name) {
        return options.get(name);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }
}
