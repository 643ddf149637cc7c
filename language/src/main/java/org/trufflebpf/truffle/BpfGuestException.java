package org.trufflebpf.truffle;

import java.io.Serial;

import org.trufflebpf.model.BpfError;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.exception.AbstractTruffleException;
import com.oracle.truffle.api.interop.ExceptionType;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;

/**
 * A {@link BpfError} crossing the polyglot boundary: rejected input or a failed run. The message is the
 * error's one line, so embedders (and the launcher) print it as is.
 */
@ExportLibrary(InteropLibrary.class)
public final class BpfGuestException extends AbstractTruffleException {
    @Serial private static final long serialVersionUID = 1L;

    private final BpfError error;

    private BpfGuestException(BpfError error, Node location) {
        super(error.getMessage(), location);
        this.error = error;
    }

    @TruffleBoundary
    public static BpfGuestException of(BpfError error, Node location) {
        return new BpfGuestException(error, location);
    }

    /** Rejected input is a parse error to embedders ({@code PolyglotException.isSyntaxError()}); a failed run a runtime error. */
    @ExportMessage
    ExceptionType getExceptionType() {
        return switch (error.kind()) {
            case DECODE, ASSEMBLE, LOAD, VERIFY -> ExceptionType.PARSE_ERROR;
            case RUNTIME, BUDGET -> ExceptionType.RUNTIME_ERROR;
        };
    }
}
