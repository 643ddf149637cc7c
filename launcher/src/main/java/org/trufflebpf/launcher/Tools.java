package org.trufflebpf.launcher;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.io.IOAccess;

/**
 * The tools of {@code bpf run}: GraalVM's Chrome DevTools ({@code --inspect}), Debug Adapter Protocol for
 * editors ({@code --dap}) and CPU sampler ({@code --cpusampler}), and the language's own LCOV line coverage
 * ({@code --coverage}, since GraalVM's coverage tool is not served for 25.0.1). They are instruments switched
 * on by engine options; each sees the C lines of objects built with {@code -g}.
 */
final class Tools {
    private Tools() {
    }

    /**
     * Switches on the tools the arguments ask for ({@code --inspect} alone or {@code --inspect=HOST:PORT},
     * {@code --coverage} alone, printing LCOV after the run, or {@code --coverage=FILE}); true if any.
     */
    static boolean configure(Context.Builder builder, Arguments arguments) {
        boolean any = false;
        if (arguments.flag("--inspect") || arguments.option("--inspect") != null) {
            builder.option("inspect", arguments.option("--inspect") == null ? "true" : arguments.option("--inspect"));
            // Stop at the program's first line, so that breakpoints can be set before it runs.
            builder.option("inspect.Suspend", "true");
            any = true;
        }
        if (arguments.flag("--dap") || arguments.option("--dap") != null) {
            builder.option("dap", arguments.option("--dap") == null ? "true" : arguments.option("--dap"));
            any = true;
        }
        if (arguments.flag("--cpusampler")) {
            builder.option("cpusampler", "true");
            // GraalVM's sampler names functions only; the language's line sampler names the hot C lines.
            builder.option("bpflinesampler", "true");
            any = true;
        }
        if (arguments.flag("--coverage") || arguments.option("--coverage") != null) {
            builder.option("bpfcoverage", "true");
            if (arguments.option("--coverage") != null) {
                builder.option("bpfcoverage.Output", arguments.option("--coverage"));
            }
            any = true;
        }
        if (any) {
            // The tools show a C object's own source file, which the language reads beside the object.
            builder.allowIO(IOAccess.ALL);
        }
        return any;
    }
}
