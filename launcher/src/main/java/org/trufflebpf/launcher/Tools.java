package org.trufflebpf.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

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
    static boolean configure(Context.Builder builder, Arguments arguments) throws BadInputException {
        boolean any = false;
        if (arguments.flag("--inspect") || arguments.option("--inspect") != null) {
            checkFree("--inspect", arguments.option("--inspect"), INSPECT_PORT);
            builder.option("inspect", arguments.option("--inspect") == null ? "true" : arguments.option("--inspect"));
            // Stop at the program's first line, so that breakpoints can be set before it runs.
            builder.option("inspect.Suspend", "true");
            any = true;
        }
        if (arguments.flag("--dap") || arguments.option("--dap") != null) {
            checkFree("--dap", arguments.option("--dap"), DAP_PORT);
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

    /** The tools' default ports (GraalVM's chromeinspector and dap tools). */
    private static final int INSPECT_PORT = 9229;
    private static final int DAP_PORT = 4711;

    /**
     * Refuses in one line an address the tool could not listen on: the tool itself would print a stack trace and run
     * the program without a debugger. {@code value}: null, {@code PORT} or {@code HOST:PORT}.
     */
    private static void checkFree(String option, String value, int defaultPort) throws BadInputException {
        String host = "127.0.0.1";
        String port = value == null ? Integer.toString(defaultPort) : value;
        int colon = port.lastIndexOf(':');
        if (colon >= 0) {
            host = port.substring(0, colon);
            port = port.substring(colon + 1);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new BadInputException(option + " wants PORT or HOST:PORT, not '" + value + "'");
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, number));
        } catch (IOException e) {
            throw new BadInputException(option + ": cannot listen on " + host + ":" + number + " (" + e.getMessage() + "); choose another with " + option + "=HOST:PORT");
        }
    }
}
