package org.trufflebpf.truffle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;

import com.oracle.truffle.api.TruffleFile;

/**
 * Recognises our inputs by content or name: an ELF object (magic {@code 7f 45 4c 46}), raw bytecode
 * ({@code .bpf}, {@code .bin}, and a {@code .o} without the magic, as the object loader reads it) and assembly
 * ({@code .s}, {@code .asm}).
 */
public final class BpfFileTypeDetector implements TruffleFile.FileTypeDetector {

    @Override
    public String findMimeType(TruffleFile file) throws IOException {
        String name = file.getName();
        if (name == null) {
            return null;
        }
        if (name.endsWith(".s") || name.endsWith(".asm")) {
            return BpfLanguage.ASM_MIME_TYPE;
        }
        if (hasElfMagic(file)) {
            return BpfLanguage.ELF_MIME_TYPE;
        }
        if (name.endsWith(".o") || name.endsWith(".bpf") || name.endsWith(".bin")) {
            return BpfLanguage.BYTECODE_MIME_TYPE;
        }
        return null;
    }

    private static boolean hasElfMagic(TruffleFile file) {
        if (!file.isRegularFile()) {
            return false;
        }
        try (InputStream in = file.newInputStream(StandardOpenOption.READ)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    @Override
    public Charset findEncoding(TruffleFile file) throws IOException {
        String name = file.getName();
        return name != null && (name.endsWith(".s") || name.endsWith(".asm")) ? StandardCharsets.UTF_8 : null;
    }
}
