package org.trufflebpf.truffle.nodes;

import org.trufflebpf.model.SourceLine;

import com.oracle.truffle.api.source.Source;

/** Where the lines of a program's instructions are shown: the Truffle source that holds each line's file. */
public interface LineSources {
    /** For programs without line information: no sources, so no line nodes. */
    LineSources NONE = line -> null;

    /** The source holding {@code line}'s file, or null when there is none to show. */
    Source sourceOf(SourceLine line);
}
