package org.trufflebpf.truffle;

import java.util.function.IntFunction;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.InvalidArrayIndexException;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/**
 * A read-only list of interop values: member names, hash entries, ring buffer records, and the unsigned byte
 * values of a {@link ByteBufferObject}.
 */
@ExportLibrary(InteropLibrary.class)
final class InteropArray implements TruffleObject {
    private final int size;
    private final IntFunction<Object> element;

    InteropArray(Object... elements) {
        this(elements.length, i -> elements[i]);
    }

    /** Element {@code i} is computed when read, so a view of other storage (such as bytes) copies nothing. */
    InteropArray(int size, IntFunction<Object> element) {
        this.size = size;
        this.element = element;
    }

    @ExportMessage
    boolean hasArrayElements() {
        return true;
    }

    @ExportMessage
    long getArraySize() {
        return size;
    }

    @ExportMessage
    boolean isArrayElementReadable(long index) {
        return index >= 0 && index < size;
    }

    @ExportMessage
    @TruffleBoundary
    Object readArrayElement(long index) throws InvalidArrayIndexException {
        if (!isArrayElementReadable(index)) {
            throw InvalidArrayIndexException.create(index);
        }
        return element.apply((int) index);
    }

    /** Debuggers show this as the value of a list (the stack's bytes in a scope) instead of a Java identity. */
    @ExportMessage
    @TruffleBoundary
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return "[" + size + (size == 1 ? " element]" : " elements]");
    }
}
