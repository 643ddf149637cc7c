package org.trufflebpf.truffle.coverage;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.oracle.truffle.api.source.Source;
import com.oracle.truffle.api.source.SourceSection;

/**
 * Coverage counts by source file: per line how often it began, per function (by its first line) how often it
 * was called. Nodes of the same line (the line in two functions, say) share one count.
 */
final class LineCounts {
    private record FunctionKey(int line, String name) {
    }

    private static final class FileCounts {
        final TreeMap<Integer, long[]> lines = new TreeMap<>();
        final Map<FunctionKey, long[]> functions = new LinkedHashMap<>();
    }

    private final Map<String, FileCounts> files = new LinkedHashMap<>();

    synchronized void lineLoaded(SourceSection section) {
        lineCounter(section);
    }

    synchronized void functionLoaded(SourceSection section, String name) {
        functionCounter(section, name);
    }

    synchronized long[] lineCounter(SourceSection section) {
        return file(section.getSource()).lines.computeIfAbsent(section.getStartLine(), line -> new long[1]);
    }

    synchronized long[] functionCounter(SourceSection section, String name) {
        return file(section.getSource()).functions.computeIfAbsent(new FunctionKey(section.getStartLine(), name), key -> new long[1]);
    }

    private FileCounts file(Source source) {
        String name = source.getPath() != null ? source.getPath() : source.getName();
        return files.computeIfAbsent(name, n -> new FileCounts());
    }

    /** LCOV's tracefile format: per file its functions (FN, FNDA) and lines (DA), with the totals. */
    synchronized void writeLcov(PrintStream out) {
        for (Map.Entry<String, FileCounts> file : files.entrySet()) {
            FileCounts counts = file.getValue();
            out.println("TN:");
            out.println("SF:" + file.getKey());
            for (FunctionKey function : counts.functions.keySet()) {
                out.println("FN:" + function.line() + "," + function.name());
            }
            int functionsHit = 0;
            for (Map.Entry<FunctionKey, long[]> function : counts.functions.entrySet()) {
                long calls = function.getValue()[0];
                out.println("FNDA:" + calls + "," + function.getKey().name());
                functionsHit += calls > 0 ? 1 : 0;
            }
            out.println("FNF:" + counts.functions.size());
            out.println("FNH:" + functionsHit);
            int linesHit = 0;
            for (Map.Entry<Integer, long[]> line : counts.lines.entrySet()) {
                long hits = line.getValue()[0];
                out.println("DA:" + line.getKey() + "," + hits);
                linesHit += hits > 0 ? 1 : 0;
            }
            out.println("LF:" + counts.lines.size());
            out.println("LH:" + linesHit);
            out.println("end_of_record");
        }
    }
}
