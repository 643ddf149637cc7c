package org.trufflebpf.runtime;

import java.io.Serial;

/**
 * A run stopped by a bad memory access, a bad helper argument or the budget, before the engine knows which
 * instruction caused it. The engine that catches it turns it into a {@link org.trufflebpf.model.BpfError} with
 * the place of the call or access.
 */
public final class RuntimeFault extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    public RuntimeFault(String reason) {
        super(reason, null, false, false);
    }
}
