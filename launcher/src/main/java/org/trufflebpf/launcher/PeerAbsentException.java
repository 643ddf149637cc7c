package org.trufflebpf.launcher;

/** A benchmark peer is missing or cannot run a program; the message says why, for the table's absent lines. */
final class PeerAbsentException extends Exception {
    private static final long serialVersionUID = 1L;

    PeerAbsentException(String reason) {
        super(reason, null, false, false);
    }
}
