package org.trufflebpf.truffle;

import java.io.Serial;

import org.trufflebpf.model.BpfError;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.exception.AbstractTruffleException;
import com.oracle.truffle.api.nodes.Node;

/**
 * A {@link BpfError} crossing the polyglot boundary: rejected input or a failed run. The message is the
 * error's one line, so embedders (and the launcher) print it as is.
 */
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

    public BpfError error() {
        return error;
    }
}
