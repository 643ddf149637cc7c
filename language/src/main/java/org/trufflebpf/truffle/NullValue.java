package org.trufflebpf.truffle;

import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/** The value of an empty prog array slot. */
@ExportLibrary(InteropLibrary.class)
final class NullValue implements TruffleObject {
    static final NullValue INSTANCE = new NullValue();

    private NullValue() {
    }

    @ExportMessage
    boolean isNull() {
        return true;
    }
}
