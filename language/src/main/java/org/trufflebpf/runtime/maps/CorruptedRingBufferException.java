package org.trufflebpf.runtime.maps;

/** A ring buffer header in shared memory no longer matches the record the runtime made; the message says how. */
public final class CorruptedRingBufferException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptedRingBufferException(String message) {
        super(message, null, false, false);
    }
}
