package org.trufflebpf.truffle.coverage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.graalvm.options.OptionCategory;
import org.graalvm.options.OptionDescriptors;
import org.graalvm.options.OptionKey;
import org.graalvm.options.OptionStability;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.Option;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.instrumentation.ExecutionEventNode;
import com.oracle.truffle.api.instrumentation.SourceSectionFilter;
import com.oracle.truffle.api.instrumentation.StandardTags;
import com.oracle.truffle.api.instrumentation.TruffleInstrument;

/**
 * Line and function coverage of BPF programs as LCOV ({@code bpf run --coverage}). GraalVM's coverage tool
 * ({@code org.graalvm.tools:coverage-tool}) is not served for 25.0.1, so this small instrument counts instead:
 * every line node (statement) of a function that ran is listed, with how often the line began; every function
 * that ran, with how often it was called. Lines of functions that never ran are not listed (Truffle reports a
 * function's nodes when it first runs).
 */
@TruffleInstrument.Registration(id = LineCoverageInstrument.ID, name = "BPF line coverage", version = "0.1", website = "https://github.com/trufflebpf")
public final class LineCoverageInstrument extends TruffleInstrument {
    static final String ID = "bpfcoverage";

    @Option(name = "", help = "Count the lines and functions BPF programs run and write them as LCOV when the engine closes.", category = OptionCategory.USER,
                    stability = OptionStability.STABLE) //
    static final OptionKey<Boolean> Enabled = new OptionKey<>(false);

    @Option(help = "The LCOV file to write (default: the engine's output).", category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<String> Output = new OptionKey<>("");

    private LineCounts counts;

    @Override
    protected void onCreate(Env env) {
        if (!env.getOptions().get(Enabled)) {
            return;
        }
        LineCounts lineCounts = new LineCounts();
        counts = lineCounts;
        SourceSectionFilter statements = SourceSectionFilter.newBuilder().tagIs(StandardTags.StatementTag.class).includeInternal(false).build();
        SourceSectionFilter roots = SourceSectionFilter.newBuilder().tagIs(StandardTags.RootTag.class).includeInternal(false).build();
        env.getInstrumenter().attachLoadSourceSectionListener(statements, event -> lineCounts.lineLoaded(event.getSourceSection()), true);
        env.getInstrumenter().attachLoadSourceSectionListener(roots, event -> lineCounts.functionLoaded(event.getSourceSection(),
                        event.getNode().getRootNode().getName()), true);
        env.getInstrumenter().attachExecutionEventFactory(statements, context -> new Counter(lineCounts.lineCounter(context.getInstrumentedSourceSection())));
        env.getInstrumenter().attachExecutionEventFactory(roots, context -> new Counter(lineCounts.functionCounter(context.getInstrumentedSourceSection(),
                        context.getInstrumentedNode().getRootNode().getName())));
    }

    @Override
    protected void onDispose(Env env) {
        if (counts == null) {
            return;
        }
        String file = env.getOptions().get(Output);
        try {
            if (file.isEmpty()) {
                write(env.out());
            } else {
                try (OutputStream out = Files.newOutputStream(Path.of(file))) {
                    write(out);
                }
            }
        } catch (IOException e) {
            PrintStream err = new PrintStream(env.err(), true, StandardCharsets.UTF_8);
            err.println("bpf coverage: cannot write " + file + ": " + e.getMessage());
        }
    }

    private void write(OutputStream out) {
        PrintStream print = new PrintStream(out, false, StandardCharsets.UTF_8);
        counts.writeLcov(print);
        print.flush();
    }

    @Override
    protected OptionDescriptors getOptionDescriptors() {
        return new LineCoverageInstrumentOptionDescriptors();
    }

    /** Counts how often its node begins. */
    private static final class Counter extends ExecutionEventNode {
        private final long[] count;

        Counter(long[] count) {
            this.count = count;
        }

        @Override
        protected void onEnter(VirtualFrame frame) {
            increment(count);
        }

        @TruffleBoundary
        private static void increment(long[] count) {
            synchronized (count) {
                count[0]++;
            }
        }
    }
}
