package org.trufflebpf.truffle;

import java.util.List;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.StopIterationException;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/** Iterates over a snapshot of values, e.g. a hash map's entries. */
@ExportLibrary(InteropLibrary.class)
final class InteropIterator implements TruffleObject {
    private final List<Object> values;
    private int next;

    InteropIterator(List<Object> values) {
        this.values = values;
    }

    @ExportMessage
    boolean isIterator() {
        return true;
    }

    @ExportMessage
    @TruffleBoundary
    boolean hasIteratorNextElement() {
        return next < values.size();
    }

    @ExportMessage
    @TruffleBoundary
    Object getIteratorNextElement() throws StopIterationException {
        if (next >= values.size()) {
            throw StopIterationException.create();
        }
        return values.get(next++);
    }
}
