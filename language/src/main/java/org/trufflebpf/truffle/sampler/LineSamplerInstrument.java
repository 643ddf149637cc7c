package org.trufflebpf.truffle.sampler;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.graalvm.options.OptionCategory;
import org.graalvm.options.OptionDescriptors;
import org.graalvm.options.OptionKey;
import org.graalvm.options.OptionStability;
import org.trufflebpf.truffle.nodes.BpfFunctionNode;

import com.oracle.truffle.api.Option;
import com.oracle.truffle.api.RootCallTarget;
import com.oracle.truffle.api.ThreadLocalAction;
import com.oracle.truffle.api.Truffle;
import com.oracle.truffle.api.TruffleContext;
import com.oracle.truffle.api.frame.Frame;
import com.oracle.truffle.api.frame.FrameInstance;
import com.oracle.truffle.api.instrumentation.ContextsListener;
import com.oracle.truffle.api.instrumentation.EventContext;
import com.oracle.truffle.api.instrumentation.ExecutionEventListener;
import com.oracle.truffle.api.instrumentation.SourceSectionFilter;
import com.oracle.truffle.api.instrumentation.StandardTags;
import com.oracle.truffle.api.instrumentation.TruffleInstrument;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.LanguageInfo;
import com.oracle.truffle.api.nodes.RootNode;
import com.oracle.truffle.api.source.SourceSection;

/**
 * Samples the C line BPF programs are on ({@code bpf run --cpusampler} prints it beside GraalVM's sampler).
 * GraalVM 25.0.1's CPU sampler records each frame's call target only (its stack visitor keeps
 * {@code FrameInstance.getCallTarget()} and names the entry by {@code RootNode.getSourceSection()}), so it can
 * name a function but no line within one. This instrument samples the same way, below the root: at a fixed
 * period it submits a thread-local action, and at that safepoint reads the line the innermost BPF frame is in
 * (the frame slot the loop keeps while line nodes are inserted) and counts one sample for it.
 */
@TruffleInstrument.Registration(id = LineSamplerInstrument.ID, name = "BPF line sampler", version = "0.1", website = "https://github.com/trufflebpf")
public final class LineSamplerInstrument extends TruffleInstrument {
    static final String ID = "bpflinesampler";

    @Option(name = "", help = "Sample the C lines BPF programs run on and print a histogram when the engine closes.", category = OptionCategory.USER,
                    stability = OptionStability.STABLE) //
    static final OptionKey<Boolean> Enabled = new OptionKey<>(false);

    @Option(help = "Milliseconds between samples (default 1).", category = OptionCategory.USER, stability = OptionStability.STABLE) //
    static final OptionKey<Integer> Period = new OptionKey<>(1);

    private final Map<String, AtomicLong> samples = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final Map<TruffleContext, Boolean> contexts = new ConcurrentHashMap<>();
    private Thread ticker;

    @Override
    protected void onCreate(Env env) {
        if (!env.getOptions().get(Enabled)) {
            return;
        }
        // Any statement binding makes the functions insert their line nodes, so that frames keep their line.
        SourceSectionFilter statements = SourceSectionFilter.newBuilder().tagIs(StandardTags.StatementTag.class).includeInternal(false).build();
        env.getInstrumenter().attachExecutionEventListener(statements, new ExecutionEventListener() {
            @Override
            public void onEnter(EventContext context, VirtualFrame frame) {
            }

            @Override
            public void onReturnValue(EventContext context, VirtualFrame frame, Object result) {
            }

            @Override
            public void onReturnExceptional(EventContext context, VirtualFrame frame, Throwable exception) {
            }
        });
        env.getInstrumenter().attachContextsListener(new ContextsListener() {
            @Override
            public void onContextCreated(TruffleContext context) {
                contexts.put(context, Boolean.TRUE);
            }

            @Override
            public void onContextClosed(TruffleContext context) {
                contexts.remove(context);
            }

            @Override
            public void onLanguageContextCreated(TruffleContext context, LanguageInfo language) {
            }

            @Override
            public void onLanguageContextInitialized(TruffleContext context, LanguageInfo language) {
            }

            @Override
            public void onLanguageContextFinalized(TruffleContext context, LanguageInfo language) {
            }

            @Override
            public void onLanguageContextDisposed(TruffleContext context, LanguageInfo language) {
            }
        }, true);
        long period = env.getOptions().get(Period);
        ticker = new Thread(() -> tick(env, period), "bpf line sampler");
        ticker.setDaemon(true);
        ticker.start();
    }

    private void tick(Env env, long period) {
        ThreadLocalAction sample = new ThreadLocalAction(false, false) {
            @Override
            protected void perform(Access access) {
                sampleCurrentThread();
            }
        };
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            for (TruffleContext context : contexts.keySet()) {
                try {
                    env.submitThreadLocal(context, null, sample);
                } catch (IllegalStateException | IllegalArgumentException closed) {
                    // The context closed between listing and submitting: nothing to sample.
                }
            }
        }
    }

    private void sampleCurrentThread() {
        String key = Truffle.getRuntime().iterateFrames(frame -> {
            RootNode root = frame.getCallTarget() instanceof RootCallTarget target ? target.getRootNode() : null;
            if (root instanceof BpfFunctionNode function) {
                Frame f = frame.getFrame(FrameInstance.FrameAccess.READ_ONLY);
                SourceSection line = function.currentLine(f);
                // Before its first line or after its last (entry, return), a function is on no line.
                return line != null ? line.getSource().getName() + ":" + line.getStartLine() : function.getName() + " (on no line)";
            }
            return null;
        });
        if (key != null) {
            samples.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
            total.incrementAndGet();
        }
    }

    @Override
    protected void onDispose(Env env) {
        if (ticker == null) {
            return;
        }
        ticker.interrupt();
        PrintStream out = new PrintStream(env.out(), true, StandardCharsets.UTF_8);
        long all = total.get();
        out.println("BPF line samples (" + all + " samples, every " + env.getOptions().get(Period) + " ms):");
        samples.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get())).forEach(e -> out.printf("  %-30s %8d %5.1f%%%n", e.getKey(),
                        e.getValue().get(), all == 0 ? 0.0 : 100.0 * e.getValue().get() / all));
    }

    @Override
    protected OptionDescriptors getOptionDescriptors() {
        return new LineSamplerInstrumentOptionDescriptors();
    }
}
