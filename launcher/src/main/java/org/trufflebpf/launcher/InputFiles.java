package org.trufflebpf.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the files the command is given with a bound, so that {@code /dev/zero}, a pipe that never ends or a huge
 * file is one line naming the file instead of an OutOfMemoryError.
 */
final class InputFiles {
    /** A program file: far more than the kernel's million instructions take as bytecode, assembly or ELF. */
    static final long MAX_PROGRAM_BYTES = 64L << 20;
    /** A --data file: a packet or raw memory far beyond what any test or example needs. */
    static final long MAX_DATA_BYTES = 16L << 20;

    private InputFiles() {
    }

    /**
     * The file's bytes, or a one-line error naming it when it is a directory or holds more than {@code limit}
     * bytes.
     *
     * @param what what the file should be, for the message ("a program", "data")
     */
    static byte[] read(Path file, long limit, String what) throws IOException, BadInputException {
        check(file, limit, what);
        try (InputStream in = Files.newInputStream(file)) {
            // One byte past the limit tells a file that is too long from one exactly at it.
            byte[] bytes = in.readNBytes((int) limit + 1);
            if (bytes.length > limit) {
                throw tooLarge(file, limit, what);
            }
            return bytes;
        }
    }

    /** Refuses a directory and a regular file over the limit before anything is read. */
    static void check(Path file, long limit, String what) throws IOException, BadInputException {
        if (Files.isDirectory(file)) {
            throw new BadInputException(file + ": is a directory, not " + what);
        }
        if (Files.isRegularFile(file) && Files.size(file) > limit) {
            throw tooLarge(file, limit, what);
        }
    }

    private static BadInputException tooLarge(Path file, long limit, String what) {
        return new BadInputException(file + ": larger than the limit of " + (limit >> 20) + " MiB for " + what);
    }
}
