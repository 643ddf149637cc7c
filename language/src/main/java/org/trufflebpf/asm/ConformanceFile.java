package org.trufflebpf.asm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionDecoder;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;

/**
 * One file of the bpf_conformance suite: a program as assembly ({@code -- asm}) or raw words ({@code -- raw}),
 * optional input memory ({@code -- mem}), and the expected r0 ({@code -- result}) or error ({@code -- error}).
 *
 * @param name       the file name
 * @param asm        the assembly text, or null
 * @param asmLine    the file line where the assembly starts
 * @param raw        the raw program bytes, or null
 * @param rawLines   the file line of each 8-byte slot of the raw program
 * @param memory     the input bytes, or null when the program gets none
 * @param result     the expected r0, or null
 * @param error      the expected error text (possibly empty), or null
 */
public record ConformanceFile(String name, String asm, int asmLine, byte[] raw, int[] rawLines, byte[] memory, Long result, String error) {

    public static ConformanceFile read(Path path) throws IOException {
        return parse(Files.readString(path, StandardCharsets.UTF_8), path.getFileName().toString());
    }

    public static ConformanceFile parse(String text, String name) {
        String[] lines = text.split("\r?\n", -1);
        String section = null;
        int sectionLine = 0;
        StringBuilder asm = null;
        int asmLine = 0;
        StringBuilder raw = null;
        int rawLine = 0;
        StringBuilder mem = null;
        StringBuilder result = null;
        StringBuilder error = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.trim();
            if (trimmed.startsWith("--")) {
                section = trimmed.substring(2).trim().toLowerCase(Locale.ROOT);
                sectionLine = i + 1;
                switch (section) {
                    case "asm" -> {
                        asm = new StringBuilder();
                        asmLine = sectionLine + 1;
                    }
                    case "raw" -> {
                        raw = new StringBuilder();
                        rawLine = sectionLine + 1;
                    }
                    case "mem" -> mem = new StringBuilder();
                    case "result" -> result = new StringBuilder();
                    case "error" -> error = new StringBuilder();
                    case "c", "no register offset" -> {
                    }
                    default -> throw new BpfError(BpfError.Kind.ASSEMBLE, name, "line " + sectionLine + ": unknown section '" + trimmed + "'");
                }
                continue;
            }
            if (section == null) {
                if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                    throw new BpfError(BpfError.Kind.ASSEMBLE, name, "line " + (i + 1) + ": text before the first section");
                }
                continue;
            }
            switch (section) {
                // Assembly keeps every line (blank ones too) so line numbers stay the file's own.
                case "asm" -> asm.append(line).append('\n');
                case "raw" -> raw.append(stripComment(line)).append('\n');
                case "mem" -> mem.append(stripComment(line)).append(' ');
                case "result" -> result.append(stripComment(line)).append(' ');
                case "error" -> error.append(trimmed.startsWith("#") ? "" : trimmed).append(' ');
                default -> {
                }
            }
        }
        RawSection rawSection = raw == null ? null : parseRaw(raw.toString(), name, rawLine);
        return new ConformanceFile(name, asm == null ? null : asm.toString(), asmLine, rawSection == null ? null : rawSection.bytes,
                        rawSection == null ? null : rawSection.slotLines,
                        mem == null ? null : parseHexBytes(mem.toString(), name), result == null ? null : parseResult(result.toString(), name),
                        error == null ? null : error.toString().trim());
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash >= 0 ? line.substring(0, hash) : line;
    }

    /**
     * Raw programs come either as 64-bit words ({@code 0x5566778800000018}, the instruction as a little-endian
     * number) or as rows of hex bytes in memory order ({@code 07 00 01 00 01 00 00 00}).
     */
    private record RawSection(byte[] bytes, int[] slotLines) {
    }

    private static RawSection parseRaw(String text, String name, int firstLine) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] lines = text.split("\n", -1);
        List<Integer> slotLines = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            for (String token : lines[i].trim().split("\\s+")) {
                if (token.isEmpty()) {
                    continue;
                }
                if (out.size() % 8 == 0) {
                    slotLines.add(firstLine + i); // the line where this 8-byte slot begins
                }
                try {
                    if (token.toLowerCase(Locale.ROOT).startsWith("0x")) {
                        long word = Long.parseUnsignedLong(token.substring(2), 16);
                        byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(word).array();
                        out.writeBytes(bytes);
                    } else if (token.length() == 2) {
                        out.write(Integer.parseInt(token, 16));
                    } else {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new BpfError(BpfError.Kind.ASSEMBLE, name, "line " + (firstLine + i) + ": invalid raw token '" + token + "'");
                }
            }
        }
        return new RawSection(out.toByteArray(), slotLines.stream().mapToInt(Integer::intValue).toArray());
    }

    private static byte[] parseHexBytes(String text, String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String token : text.trim().split("\\s+")) {
            if (token.isEmpty()) {
                continue;
            }
            try {
                out.write(Integer.parseInt(token, 16));
            } catch (NumberFormatException e) {
                throw new BpfError(BpfError.Kind.ASSEMBLE, name, "invalid memory byte '" + token + "'");
            }
        }
        return out.toByteArray();
    }

    private static Long parseResult(String text, String name) {
        String t = text.trim();
        try {
            if (t.toLowerCase(Locale.ROOT).contains("0x")) {
                boolean negative = t.startsWith("-");
                BigInteger value = new BigInteger(t.substring(t.toLowerCase(Locale.ROOT).indexOf("0x") + 2), 16);
                return negative ? value.negate().longValue() : value.longValue();
            }
            return new BigInteger(t).longValue();
        } catch (NumberFormatException e) {
            throw new BpfError(BpfError.Kind.ASSEMBLE, name, "invalid result '" + t + "'");
        }
    }

    /** The program: assembled from {@code -- asm}, else decoded from {@code -- raw}. A raw-memory context. */
    public Program program() {
        if (asm != null) {
            return Assembler.assembleProgram(asm, name, asmLine);
        }
        return rawProgram();
    }

    /** The program decoded from {@code -- raw}. */
    public Program rawProgram() {
        if (raw == null) {
            throw new BpfError(BpfError.Kind.ASSEMBLE, name, "no program: the file has neither an asm nor a raw section");
        }
        if (raw.length == 0) {
            throw new BpfError(BpfError.Kind.DECODE, name, "the program has no instructions");
        }
        List<Instruction> code;
        try {
            code = InstructionDecoder.decode(raw, name);
        } catch (BpfError e) {
            // Raw sections hold one instruction per line: name the file line too.
            throw e.instructionIndex() >= 0 && e.instructionIndex() < rawLines.length ? e.atLine(rawLines[e.instructionIndex()]) : e;
        }
        return Program.of(baseName(), ProgramType.RAW, code, List.of(), name);
    }

    private String baseName() {
        return name.replaceAll("\\.[^.]*$", "");
    }

    public boolean hasProgram() {
        return asm != null || raw != null;
    }
}
