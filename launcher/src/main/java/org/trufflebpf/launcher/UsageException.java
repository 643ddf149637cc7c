package org.trufflebpf.launcher;

import java.io.Serial;

/** Bad command-line arguments: printed with the subcommand's usage line. */
final class UsageException extends Exception {
    @Serial private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }
}
