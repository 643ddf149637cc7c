package org.trufflebpf.launcher;

import java.io.Serial;

/** An input the launcher cannot hand to the language (a directory given as a program): one line, exit code 1. */
final class BadInputException extends Exception {
    @Serial private static final long serialVersionUID = 1L;

    BadInputException(String message) {
        super(message);
    }
}
