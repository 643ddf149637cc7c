package org.trufflebpf.launcher;

import java.io.Console;
import java.io.PrintStream;

/**
 * A one-line progress display on stderr for long work (pcap runs, fuzz campaigns, benchmarks), redrawn in place at
 * most ten times a second and cleared when done. It shows only on a terminal: piped or redirected stderr, and
 * {@code --quiet}, get nothing, so that logs and scripts see the same output as before.
 */
final class Progress implements AutoCloseable {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 24;

    private final PrintStream err;
    private final boolean enabled;
    private final String what;
    private long lastDraw;
    private int lastLength;

    Progress(PrintStream err, boolean enabled, String what) {
        this.err = err;
        this.enabled = enabled;
        this.what = what;
    }

    /** Progress for {@code what}, shown when stderr is a terminal and not {@code quiet}. */
    static Progress onTerminal(PrintStream err, boolean quiet, String what) {
        return of(err, quiet, stderrIsTerminal(), what);
    }

    /** The rule: shown on a {@code terminal} unless {@code quiet}. */
    static Progress of(PrintStream err, boolean quiet, boolean terminal, String what) {
        return new Progress(err, !quiet && terminal, what);
    }

    /** Whether the JVM's standard streams are a terminal (System.console() is null when they are redirected). */
    static boolean stderrIsTerminal() {
        Console console = System.console();
        return console != null && console.isTerminal();
    }

    boolean enabled() {
        return enabled;
    }

    /** {@code done} of {@code total} with a bar, and a note (the item at hand), or without a bar when total is not known (≤ 0). */
    void update(long done, long total, String note) {
        update(done, total, total > 0 ? done + "/" + total : Long.toString(done), note);
    }

    /** As above, with {@code shown} in place of the count ("1.5/10 s"). */
    synchronized void update(long done, long total, String shown, String note) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        boolean last = total > 0 && done >= total;
        if (!last && lastDraw != 0 && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        draw(line(what, done, total, shown, note));
    }

    /** The text of one redraw. */
    static String line(String what, long done, long total, String shown, String note) {
        StringBuilder line = new StringBuilder(what).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
            line.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
        }
        line.append(shown);
        if (note != null && !note.isEmpty()) {
            line.append(' ').append(note);
        }
        return line.toString();
    }

    private void draw(String line) {
        // Padding with spaces wipes what a longer previous line left.
        int pad = Math.max(0, lastLength - line.length());
        err.print("\r" + line + " ".repeat(pad));
        err.flush();
        lastLength = line.length();
    }

    /** Clears the line, so that what is printed next starts on a clean line; a later update draws it again. */
    @Override
    public synchronized void close() {
        if (enabled && lastLength > 0) {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
            lastLength = 0;
        }
    }
}
