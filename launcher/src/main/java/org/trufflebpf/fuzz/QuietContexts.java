package org.trufflebpf.fuzz;

import java.io.OutputStream;
import java.util.Map;

import org.graalvm.polyglot.Context;

/**
 * Contexts the fuzzers only ask questions of (a probe load, a module's verdicts and facts): the campaign's
 * options set (some are experimental) and whatever the guest prints discarded, since no verdict depends on it.
 */
final class QuietContexts {
    private QuietContexts() {
    }

    static Context.Builder builder(Map<String, String> options) {
        Context.Builder builder = Context.newBuilder("bpf").allowExperimentalOptions(true).out(OutputStream.nullOutputStream())
                        .err(OutputStream.nullOutputStream());
        options.forEach(builder::option);
        return builder;
    }

    /** A context that only reads sources ({@code bpf.Prepare=false}): its modules answer verify, kernelVerdict, facts. */
    static Context reader(Map<String, String> options) {
        return builder(options).option("bpf.Prepare", "false").build();
    }
}
