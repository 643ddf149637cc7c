package org.trufflebpf.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.trufflebpf.asm.Assembler;
import org.trufflebpf.asm.ConformanceFile;
import org.trufflebpf.elf.ElfLoader;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.InstructionDecoder;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;

/**
 * Reads any input the engine accepts and tells the formats apart: ELF objects by their magic, conformance
 * files ({@code .data}), assembly ({@code .s}, {@code .asm}, or text), and otherwise raw bytecode.
 */
public final class ObjectLoader {
    private ObjectLoader() {
    }

    /** The formats {@link #load} recognises. */
    public enum Format {
        ELF, CONFORMANCE, ASSEMBLY, RAW
    }

    /** The largest program file read: far more than the kernel's million instructions take in any format. */
    public static final long MAX_FILE_BYTES = 64L << 20;

    public static BpfObject load(Path path) throws IOException {
        return load(readFile(path, MAX_FILE_BYTES, "a program"), path.toString());
    }

    /**
     * The file's bytes, read with a bound so that {@code /dev/zero}, a pipe that never ends or a huge file is one
     * error naming the file instead of an OutOfMemoryError.
     *
     * @param what what the file should be, for the message ("a program", "data")
     */
    public static byte[] readFile(Path path, long limit, String what) throws IOException {
        checkFile(path, limit, what);
        try (InputStream in = Files.newInputStream(path)) {
            // One byte past the limit tells a file that is too long from one exactly at it.
            byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > limit) {
                throw tooLarge(path, limit, what);
            }
            return bytes;
        }
    }

    /** Refuses a missing file, a directory, and a regular file over the limit, before anything is read. */
    public static void checkFile(Path path, long limit, String what) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        if (Files.isDirectory(path)) {
            throw new BpfError(BpfError.Kind.LOAD, path.toString(), "is a directory, not " + what);
        }
        if (Files.isRegularFile(path) && Files.size(path) > limit) {
            throw tooLarge(path, limit, what);
        }
    }

    private static BpfError tooLarge(Path path, long limit, String what) {
        return new BpfError(BpfError.Kind.LOAD, path.toString(), "larger than the limit of " + (limit >> 20) + " MiB for " + what);
    }

    public static BpfObject load(byte[] bytes, String name) {
        return switch (detect(bytes, name)) {
            case ELF -> ElfLoader.load(bytes, name);
            case CONFORMANCE -> conformance(ConformanceFile.parse(new String(bytes, StandardCharsets.UTF_8), name));
            case ASSEMBLY -> Assembler.assemble(new String(bytes, StandardCharsets.UTF_8), name);
            case RAW -> raw(bytes, name);
        };
    }

    /** A conformance file's program as an object of its own (its memory and expected result are not part of it). */
    public static BpfObject conformance(ConformanceFile file) {
        Program program = file.program();
        return new BpfObject(file.name(), List.of(program), program.maps(), null);
    }

    public static BpfObject raw(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new BpfError(BpfError.Kind.DECODE, name, "the program has no instructions");
        }
        Program program = Program.of(baseName(name), ProgramType.RAW, InstructionDecoder.decode(bytes, name), List.of(), name);
        return new BpfObject(name, List.of(program), List.of(), null);
    }

    public static Format detect(byte[] bytes, String name) {
        if (bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F') {
            return Format.ELF;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".data")) {
            return Format.CONFORMANCE;
        }
        if (lower.endsWith(".s") || lower.endsWith(".asm")) {
            return Format.ASSEMBLY;
        }
        if (lower.endsWith(".bin") || lower.endsWith(".bpf") || lower.endsWith(".o")) {
            return Format.RAW;
        }
        return looksLikeText(bytes) ? Format.ASSEMBLY : Format.RAW;
    }

    /** Raw bytecode almost always holds zero bytes (register and offset fields); assembly never does. */
    private static boolean looksLikeText(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0 || (b < 0x20 && b != '\n' && b != '\r' && b != '\t')) {
                return false;
            }
        }
        return true;
    }

    private static String baseName(String name) {
        return name.replaceAll(".*/", "").replaceAll("\\.[^.]*$", "");
    }
}
