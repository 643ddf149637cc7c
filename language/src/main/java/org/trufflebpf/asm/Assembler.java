package org.trufflebpf.asm;

import static org.trufflebpf.model.Opcodes.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionRules;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.MapType;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.SourceLine;
import org.trufflebpf.model.SourceLines;
import org.trufflebpf.model.ProgramType;

/**
 * Assembles the conformance suite's syntax (see {@code conformance/README.md}) into a {@link BpfObject}.
 * <p>
 * Beyond the suite's syntax, a file may declare maps and several programs, so that tests with prog arrays
 * need no host code:
 *
 * <pre>
 * .map jmp_table prog_array key=4 value=4 entries=4   # NAME TYPE key= value= entries= [flags=]
 * .global .rodata readonly hex=2a000000              # global data: NAME [readonly] size=N|hex=BYTES
 * .slot jmp_table 0 classifier_0                      # initial prog-array slot: MAP INDEX PROGRAM
 * .map outer array_of_maps key=4 value=4 entries=2 inner=hash/4/8/16/0  # a map of maps: inner TYPE/KEY/VALUE/ENTRIES/FLAGS
 * .slot outer 0 some_hash                              # initial map-of-maps slot: MAP INDEX MAP
 * .program classifier_0 socket                        # starts a program: NAME [CONTEXT]
 * lddw %r2, map:jmp_table                             # map reference (PSEUDO_MAP_FD, the map's index)
 * lddw %r1, map_value:counters+8                      # address inside a map's first value
 * lddw %r2, map_idx:jmp_table                         # the same by index (PSEUDO_MAP_IDX); map_idx_value: likewise
 * call tail_call                                      # helpers by Linux name or number
 * mov %r1, helper:ktime_get_ns                        # a helper's id as an immediate, for callx
 * </pre>
 *
 * Instructions before the first {@code .program} form a program named after the file. Errors name the line:
 * {@code prog.s: line 3 'ldxq %r0, %r1': unknown mnemonic 'ldxq'}.
 */
public final class Assembler {
    private final String fileName;
    private final int firstLine;
    // Compiled once: String.matches compiles its pattern on every call, which made assembly take ~20 µs a line.
    private static final Pattern LABEL = Pattern.compile("[A-Za-z_.$][A-Za-z0-9_.$]*");
    private static final Pattern SWAP = Pattern.compile("swap(16|32|64)");
    private static final Pattern BYTE_ORDER = Pattern.compile("(le|be|bswap)(16|32|64)");
    private static final Pattern MOVSX = Pattern.compile("movsx(8|16|32)(32|64)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final Pattern BARE_REGISTER = Pattern.compile("r[0-9]+");
    private static final Pattern REGISTER_NAME = Pattern.compile("r[0-9]{1,2}");
    private static final Pattern MEMORY_MNEMONIC = Pattern.compile("(ldxs|ldx|stx|st|ldabs|ldind)(b|h|w|dw)");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final List<MapDefinition> maps = new ArrayList<>();
    private final Map<String, Integer> mapIndexes = new HashMap<>();
    private final Map<String, Map<Integer, String>> slots = new LinkedHashMap<>();
    /** Initial slots of maps of maps: map name → (slot → inner map name). */
    private final Map<String, Map<Integer, String>> innerSlots = new LinkedHashMap<>();
    private final List<ProgramText> programs = new ArrayList<>();

    /** One source line that holds an instruction. */
    private record Statement(int line, String text, String mnemonic, List<String> operands, int slot) {
    }

    /** The statements and labels of one program while it is assembled. */
    /** All programs of one file together: eight programs of the kernel's largest size. */
    static final long MAX_FILE_INSNS = 8L * MAX_INSNS;

    private static final class ProgramText {
        final String name;
        final ProgramType type;
        final int line;
        final List<Statement> statements = new ArrayList<>();
        final Map<String, Integer> labels = new LinkedHashMap<>();
        int slots;

        ProgramText(String name, ProgramType type, int line) {
            this.name = name;
            this.type = type;
            this.line = line;
        }
    }

    private Assembler(String fileName, int firstLine) {
        this.fileName = fileName;
        this.firstLine = firstLine;
    }

    /** Assembles a whole file. */
    public static BpfObject assemble(String text, String fileName) {
        return assemble(text, fileName, 1);
    }

    /**
     * Assembles text that starts at line {@code firstLine} of its file, so that errors in an embedded section
     * (a conformance file's {@code -- asm}) name the file's own line numbers.
     */
    public static BpfObject assemble(String text, String fileName, int firstLine) {
        return new Assembler(fileName, firstLine).run(text);
    }

    /** Assembles text that holds exactly one program and returns it. */
    public static Program assembleProgram(String text, String fileName) {
        return assembleProgram(text, fileName, 1);
    }

    /** Assembles text, starting at line {@code firstLine} of its file, that holds exactly one program. */
    public static Program assembleProgram(String text, String fileName, int firstLine) {
        BpfObject object = assemble(text, fileName, firstLine);
        if (object.programs().isEmpty()) {
            throw new BpfError(BpfError.Kind.ASSEMBLE, fileName, "the program has no instructions");
        }
        if (object.programs().size() != 1) {
            throw new BpfError(BpfError.Kind.ASSEMBLE, fileName, "expected one program, found " + object.programs().size());
        }
        return object.programs().get(0);
    }

    private BpfObject run(String text) {
        ProgramText current = null;
        long fileSlots = 0;
        // Line by line over the text, without an array of all its lines, so that an oversized file stops at the
        // instruction limit instead of first exhausting the heap.
        int lineStart = 0;
        for (int i = 0; lineStart <= text.length(); i++) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            String rawLine = text.substring(lineStart, lineEnd > lineStart && text.charAt(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd);
            lineStart = lineEnd + 1;
            int lineNumber = firstLine + i;
            String line = stripComment(rawLine).trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith(".")) {
                ProgramText started = directive(line, lineNumber);
                if (started != null) {
                    current = started;
                }
                continue;
            }
            // Labels, possibly followed by an instruction on the same line.
            int colon;
            while ((colon = labelEnd(line)) > 0) {
                String label = QuotedNames.unquote(line.substring(0, colon).trim());
                if (current == null) {
                    current = defaultProgram(lineNumber);
                }
                if (current.labels.containsKey(label)) {
                    throw error(lineNumber, line, "label '" + label + "' is defined twice");
                }
                current.labels.put(label, current.slots);
                line = line.substring(colon + 1).trim();
            }
            if (line.isEmpty()) {
                continue;
            }
            if (current == null) {
                current = defaultProgram(lineNumber);
            }
            Statement statement = split(line, lineNumber, current.slots);
            current.statements.add(statement);
            int size = statement.mnemonic.equals("lddw") ? 2 : 1;
            current.slots += size;
            fileSlots += size;
            if (current.slots > MAX_INSNS) {
                throw error(lineNumber, line, "program '" + current.name + "' has more than " + MAX_INSNS + " instructions");
            }
            if (fileSlots > MAX_FILE_INSNS) {
                throw error(lineNumber, line, "the file has more than " + MAX_FILE_INSNS + " instructions");
            }
        }
        List<Program> result = new ArrayList<>();
        for (ProgramText program : programs) {
            result.add(encodeProgram(program));
        }
        List<MapDefinition> finalMaps = new ArrayList<>(maps);
        for (Map.Entry<String, Map<Integer, String>> entry : slots.entrySet()) {
            int index = mapIndexes.get(entry.getKey());
            finalMaps.set(index, finalMaps.get(index).withInitialPrograms(entry.getValue()));
        }
        for (Map.Entry<String, Map<Integer, String>> entry : innerSlots.entrySet()) {
            int index = mapIndexes.get(entry.getKey());
            finalMaps.set(index, finalMaps.get(index).withInitialMaps(entry.getValue()));
        }
        List<Program> withMaps = new ArrayList<>();
        for (Program program : result) {
            withMaps.add(new Program(program.name(), program.section(), program.type(), program.code(), finalMaps, fileName,
                            program.symbols(), null, program.lines()));
        }
        return new BpfObject(fileName, withMaps, finalMaps, null);
    }

    private ProgramText defaultProgram(int line) {
        String base = fileName == null ? "prog" : fileName.replaceAll(".*/", "").replaceAll("\\.[^.]*$", "");
        ProgramText program = new ProgramText(base, ProgramType.RAW, line);
        programs.add(program);
        return program;
    }

    /** The line before its comment ({@code #}, {@code ;} or {@code //}), which never starts inside a quoted name. */
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                int end = QuotedNames.quotedEnd(line, i);
                if (end < 0) {
                    return line;
                }
                i = end - 1;
            } else if (c == '#' || c == ';' || c == '/' && line.startsWith("//", i)) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** Position of the colon ending a leading label (plain, or quoted as listings quote section names), or -1. */
    private static int labelEnd(String line) {
        if (line.startsWith("\"")) {
            int end = QuotedNames.quotedEnd(line, 0);
            int colon = end < 0 ? -1 : line.indexOf(':', end);
            return colon > 0 && line.substring(end, colon).isBlank() ? colon : -1;
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
            return -1;
        }
        String candidate = line.substring(0, colon).trim();
        return LABEL.matcher(candidate).matches() ? colon : -1;
    }

    private Statement split(String line, int lineNumber, int slot) {
        String mnemonic;
        String rest;
        int space = indexOfWhitespace(line);
        if (space < 0) {
            mnemonic = line;
            rest = "";
        } else {
            mnemonic = line.substring(0, space);
            rest = line.substring(space).trim();
        }
        mnemonic = mnemonic.toLowerCase(Locale.ROOT);
        List<String> operands = new ArrayList<>();
        if (mnemonic.equals("lock")) {
            // "lock fetch add32 [..], %r1": the operation words belong to the mnemonic.
            String[] words = WHITESPACE.split(rest, 3);
            StringBuilder op = new StringBuilder("lock");
            int used = 0;
            while (used < words.length && !words[used].isEmpty() && !words[used].startsWith("[") && !words[used].startsWith("%")) {
                op.append(' ').append(words[used].toLowerCase(Locale.ROOT));
                used++;
                if (!op.toString().equals("lock fetch")) {
                    break;
                }
            }
            mnemonic = op.toString();
            StringBuilder remaining = new StringBuilder();
            for (int i = used; i < words.length; i++) {
                remaining.append(words[i]).append(' ');
            }
            rest = remaining.toString().trim();
        }
        if (!rest.isEmpty()) {
            for (String operand : rest.split(",", -1)) {
                operands.add(operand.trim());
            }
        }
        return new Statement(lineNumber, line, mnemonic, operands, slot);
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    // ---- directives ------------------------------------------------------------------------------------

    private ProgramText directive(String line, int lineNumber) {
        String[] words = WHITESPACE.split(line);
        switch (words[0]) {
            case ".program": {
                if (words.length < 2 || words.length > 3) {
                    throw error(lineNumber, line, ".program takes a name and an optional context type");
                }
                ProgramType type = ProgramType.RAW;
                if (words.length == 3) {
                    type = ProgramType.byName(words[2]);
                    if (type == null) {
                        throw error(lineNumber, line, "unknown context type '" + words[2] + "'");
                    }
                }
                String name = QuotedNames.unquote(words[1]);
                for (ProgramText existing : programs) {
                    if (existing.name.equals(name)) {
                        throw error(lineNumber, line, "program '" + name + "' is defined twice");
                    }
                }
                ProgramText program = new ProgramText(name, type, lineNumber);
                programs.add(program);
                return program;
            }
            case ".map":
                defineMap(words, line, lineNumber);
                return null;
            case ".global":
                defineGlobal(words, line, lineNumber);
                return null;
            case ".slot": {
                if (words.length != 4) {
                    throw error(lineNumber, line, ".slot takes a prog array, an index and a program name");
                }
                Integer map = mapIndexes.get(words[1]);
                if (map != null && maps.get(map).type().isMapOfMaps()) {
                    int index = (int) parseNumber(words[2], lineNumber, line, 0, maps.get(map).maxEntries() - 1L, "slot index");
                    if (!mapIndexes.containsKey(words[3])) {
                        throw error(lineNumber, line, "'" + words[3] + "' is not a map declared above");
                    }
                    innerSlots.computeIfAbsent(words[1], k -> new LinkedHashMap<>()).put(index, words[3]);
                    return null;
                }
                if (map == null || maps.get(map).type() != MapType.PROG_ARRAY) {
                    throw error(lineNumber, line, "'" + words[1] + "' is not a prog array or map of maps declared above");
                }
                int index = (int) parseNumber(words[2], lineNumber, line, 0, maps.get(map).maxEntries() - 1L, "slot index");
                slots.computeIfAbsent(words[1], k -> new LinkedHashMap<>()).put(index, QuotedNames.unquote(words[3]));
                return null;
            }
            default:
                throw error(lineNumber, line, "unknown directive '" + words[0] + "'");
        }
    }

    private void defineMap(String[] words, String line, int lineNumber) {
        if (words.length < 3) {
            throw error(lineNumber, line, ".map takes NAME TYPE key=K value=V entries=N [flags=F]");
        }
        String name = words[1];
        if (mapIndexes.containsKey(name)) {
            throw error(lineNumber, line, "map '" + name + "' is defined twice");
        }
        MapType type = MapType.byName(words[2]);
        if (type == null) {
            throw error(lineNumber, line, "unknown map type '" + words[2] + "'");
        }
        Map<String, Long> attributes = new HashMap<>();
        MapDefinition inner = null;
        for (int i = 3; i < words.length; i++) {
            if (words[i].startsWith("inner=") && inner == null) {
                inner = innerTemplate(name, words[i].substring("inner=".length()), line, lineNumber);
                continue;
            }
            int eq = words[i].indexOf('=');
            String key = eq > 0 ? words[i].substring(0, eq) : "";
            if (!List.of("key", "value", "entries", "flags").contains(key) || attributes.containsKey(key)) {
                throw error(lineNumber, line, "unexpected map attribute '" + words[i] + "'");
            }
            attributes.put(key, parseNumber(words[i].substring(eq + 1), lineNumber, line, 0, 0xffffffffL, key));
        }
        if (!attributes.containsKey("entries")) {
            throw error(lineNumber, line, "map '" + name + "' needs entries=N");
        }
        MapDefinition map = new MapDefinition(name, type, attributes.getOrDefault("key", 0L).intValue(),
                        attributes.getOrDefault("value", 0L).intValue(), attributes.get("entries").intValue(),
                        attributes.getOrDefault("flags", 0L).intValue(), null, Map.of(), false, inner, Map.of());
        String problem = map.problem();
        if (problem != null) {
            throw error(lineNumber, line, "map '" + name + "': " + problem);
        }
        mapIndexes.put(name, maps.size());
        maps.add(map);
    }

    /** {@code inner=TYPE/KEY/VALUE/ENTRIES/FLAGS}: a map of maps' inner template, named as libbpf names it. */
    private MapDefinition innerTemplate(String outer, String text, String line, int lineNumber) {
        String[] parts = text.split("/", -1);
        MapType type = parts.length == 5 ? MapType.byName(parts[0]) : null;
        if (type == null) {
            throw error(lineNumber, line, "inner= takes TYPE/KEY/VALUE/ENTRIES/FLAGS");
        }
        int[] numbers = new int[4];
        for (int i = 0; i < 4; i++) {
            numbers[i] = (int) parseNumber(parts[i + 1], lineNumber, line, 0, 0xffffffffL, "inner map attribute");
        }
        return new MapDefinition(outer + ".inner", type, numbers[0], numbers[1], numbers[2], numbers[3], null, Map.of(), false);
    }

    /** {@code .global NAME [readonly] size=N|hex=BYTES}: a global-data section, a one-entry array map. */
    private void defineGlobal(String[] words, String line, int lineNumber) {
        if (words.length < 3 || words.length > 4 || (words.length == 4 && !words[2].equals("readonly"))) {
            throw error(lineNumber, line, ".global takes NAME [readonly] size=N or hex=BYTES");
        }
        String name = words[1];
        if (mapIndexes.containsKey(name)) {
            throw error(lineNumber, line, "map '" + name + "' is defined twice");
        }
        String contents = words[words.length - 1];
        byte[] bytes;
        if (contents.startsWith("size=")) {
            bytes = new byte[(int) parseNumber(contents.substring(5), lineNumber, line, 1, 1 << 20, "size")];
        } else if (contents.startsWith("hex=") && contents.length() > 4 && contents.length() % 2 == 0) {
            try {
                bytes = HexFormat.of().parseHex(contents.substring(4));
            } catch (IllegalArgumentException e) {
                throw error(lineNumber, line, "invalid hex bytes");
            }
        } else {
            throw error(lineNumber, line, ".global takes NAME [readonly] size=N or hex=BYTES");
        }
        mapIndexes.put(name, maps.size());
        maps.add(MapDefinition.globalData(name, bytes, words.length == 4));
    }

    // ---- instructions ----------------------------------------------------------------------------------

    private Program encodeProgram(ProgramText program) {
        List<Instruction> code = new ArrayList<>();
        for (Statement statement : program.statements) {
            Instruction insn = encode(statement, program).at(statement.slot);
            String problem = InstructionRules.check(insn);
            if (problem != null) {
                throw error(statement.line, statement.text, problem);
            }
            code.add(insn);
        }
        Map<Integer, String> symbols = new HashMap<>();
        program.labels.forEach((label, slot) -> symbols.putIfAbsent(slot, label));
        // Each instruction maps to its own line of the file, so that tools show the assembly being run.
        Map<Integer, SourceLine> lines = new HashMap<>();
        for (Statement statement : program.statements) {
            lines.put(statement.slot, new SourceLine(fileName == null ? "prog.s" : fileName, statement.line, 1, statement.text));
        }
        return new Program(program.name, null, program.type, code, maps, fileName, symbols, null, SourceLines.of(lines));
    }

    private Instruction encode(Statement s, ProgramText program) {
        String m = s.mnemonic;
        if (m.startsWith("lock")) {
            return atomic(s);
        }
        switch (m) {
            case "exit":
                expectOperands(s, 0);
                return Instruction.of(EXIT, 0, 0, 0, 0);
            case "lddw":
                return lddw(s, program);
            case "call":
                return call(s, program);
            case "ja":
                expectOperands(s, 1);
                return Instruction.of(JA, 0, 0, checkOffset(s, target(s, program, s.operands.get(0))), 0);
            case "ja32":
                expectOperands(s, 1);
                return Instruction.of(JA32, 0, 0, 0, target(s, program, s.operands.get(0)));
            default:
                break;
        }
        Instruction insn = aluOrByteSwap(s);
        if (insn != null) {
            return insn;
        }
        insn = memory(s);
        if (insn != null) {
            return insn;
        }
        insn = conditionalJump(s, program);
        if (insn != null) {
            return insn;
        }
        throw error(s, "unknown mnemonic '" + m + "'");
    }

    private static final Map<String, Integer> ALU_OPS = Map.ofEntries(Map.entry("add", ALU_ADD), Map.entry("sub", ALU_SUB),
                    Map.entry("mul", ALU_MUL), Map.entry("div", ALU_DIV), Map.entry("sdiv", ALU_DIV), Map.entry("or", ALU_OR),
                    Map.entry("and", ALU_AND), Map.entry("lsh", ALU_LSH), Map.entry("rsh", ALU_RSH), Map.entry("neg", ALU_NEG),
                    Map.entry("mod", ALU_MOD), Map.entry("smod", ALU_MOD), Map.entry("xor", ALU_XOR), Map.entry("mov", ALU_MOV),
                    Map.entry("arsh", ALU_ARSH));

    private static final Map<String, Integer> JUMP_OPS = Map.ofEntries(Map.entry("jeq", JMP_JEQ), Map.entry("jgt", JMP_JGT),
                    Map.entry("jge", JMP_JGE), Map.entry("jset", JMP_JSET), Map.entry("jne", JMP_JNE), Map.entry("jsgt", JMP_JSGT),
                    Map.entry("jsge", JMP_JSGE), Map.entry("jlt", JMP_JLT), Map.entry("jle", JMP_JLE), Map.entry("jslt", JMP_JSLT),
                    Map.entry("jsle", JMP_JSLE));

    private Instruction aluOrByteSwap(Statement s) {
        String m = s.mnemonic;
        if (SWAP.matcher(m).matches()) {
            m = "b" + m; // the suite's older name for bswap
        }
        if (BYTE_ORDER.matcher(m).matches()) {
            expectOperands(s, 1);
            int width = Integer.parseInt(m.substring(m.length() - 2));
            int dst = register(s, s.operands.get(0));
            if (m.startsWith("bswap")) {
                return Instruction.of(CLASS_ALU64 | ALU_END | SRC_K, dst, 0, 0, width);
            }
            return Instruction.of(CLASS_ALU | ALU_END | (m.startsWith("be") ? SRC_X : SRC_K), dst, 0, 0, width);
        }
        if (MOVSX.matcher(m).matches()) {
            expectOperands(s, 2);
            boolean is64 = m.endsWith("64");
            int width = Integer.parseInt(m.substring(5, m.length() - 2));
            if (width == 32 && !is64) {
                throw error(s, "unknown mnemonic '" + m + "'");
            }
            return Instruction.of((is64 ? CLASS_ALU64 : CLASS_ALU) | ALU_MOV | SRC_X, register(s, s.operands.get(0)),
                            register(s, s.operands.get(1)), width, 0);
        }
        String base = m;
        int cls = CLASS_ALU64;
        if (m.endsWith("32")) {
            base = m.substring(0, m.length() - 2);
            cls = CLASS_ALU;
        } else if (m.endsWith("64")) {
            base = m.substring(0, m.length() - 2);
        }
        Integer op = ALU_OPS.get(base);
        if (op == null) {
            return null;
        }
        int signed = base.equals("sdiv") || base.equals("smod") ? 1 : 0;
        if (op == ALU_NEG) {
            expectOperands(s, 1);
            return Instruction.of(cls | ALU_NEG, register(s, s.operands.get(0)), 0, 0, 0);
        }
        expectOperands(s, 2);
        int dst = register(s, s.operands.get(0));
        String source = s.operands.get(1);
        if (isRegister(source)) {
            return Instruction.of(cls | op | SRC_X, dst, register(s, source), signed, 0);
        }
        return Instruction.of(cls | op | SRC_K, dst, 0, signed, imm32(s, source));
    }

    private Instruction memory(Statement s) {
        String m = s.mnemonic;
        Matcher matcher = MEMORY_MNEMONIC.matcher(m);
        if (!matcher.matches()) {
            return null;
        }
        String kind = matcher.group(1);
        int size = switch (matcher.group(2)) {
            case "b" -> SIZE_B;
            case "h" -> SIZE_H;
            case "w" -> SIZE_W;
            default -> SIZE_DW;
        };
        switch (kind) {
            case "ldx":
            case "ldxs": {
                if (kind.equals("ldxs") && size == SIZE_DW) {
                    throw error(s, "unknown mnemonic '" + m + "'");
                }
                expectOperands(s, 2);
                int dst = register(s, s.operands.get(0));
                int[] address = address(s, s.operands.get(1));
                return Instruction.of(CLASS_LDX | size | (kind.equals("ldxs") ? MODE_MEMSX : MODE_MEM), dst, address[0], address[1], 0);
            }
            case "st": {
                expectOperands(s, 2);
                int[] address = address(s, s.operands.get(0));
                return Instruction.of(CLASS_ST | size | MODE_MEM, address[0], 0, address[1], imm32(s, s.operands.get(1)));
            }
            case "stx": {
                expectOperands(s, 2);
                int[] address = address(s, s.operands.get(0));
                return Instruction.of(CLASS_STX | size | MODE_MEM, address[0], register(s, s.operands.get(1)), address[1], 0);
            }
            case "ldabs":
                if (size == SIZE_DW) {
                    throw error(s, "unknown mnemonic '" + m + "'");
                }
                expectOperands(s, 1);
                return Instruction.of(CLASS_LD | size | MODE_ABS, 0, 0, 0, imm32(s, s.operands.get(0)));
            default: // ldind
                if (size == SIZE_DW) {
                    throw error(s, "unknown mnemonic '" + m + "'");
                }
                expectOperands(s, 2);
                return Instruction.of(CLASS_LD | size | MODE_IND, 0, register(s, s.operands.get(0)), 0, imm32(s, s.operands.get(1)));
        }
    }

    private Instruction conditionalJump(Statement s, ProgramText program) {
        String m = s.mnemonic;
        int cls = CLASS_JMP;
        String base = m;
        if (m.endsWith("32")) {
            cls = CLASS_JMP32;
            base = m.substring(0, m.length() - 2);
        }
        Integer op = JUMP_OPS.get(base);
        if (op == null) {
            return null;
        }
        expectOperands(s, 3);
        int dst = register(s, s.operands.get(0));
        int offset = checkOffset(s, target(s, program, s.operands.get(2)));
        String source = s.operands.get(1);
        if (isRegister(source)) {
            return Instruction.of(cls | op | SRC_X, dst, register(s, source), offset, 0);
        }
        return Instruction.of(cls | op | SRC_K, dst, 0, offset, imm32(s, source));
    }

    private Instruction call(Statement s, ProgramText program) {
        if (s.operands.size() != 1) {
            throw error(s, "call takes one operand");
        }
        String operand = s.operands.get(0);
        if (operand.startsWith("local ") || operand.startsWith("local\t")) {
            String label = operand.substring(6).trim();
            return Instruction.of(CALL, 0, CALL_LOCAL, 0, target(s, program, label));
        }
        if (isRegister(operand)) {
            return Instruction.of(CALLX, register(s, operand), 0, 0, 0);
        }
        if (IDENTIFIER.matcher(operand).matches()) {
            Helper helper = Helper.byName(operand);
            if (helper == null) {
                throw error(s, "unknown helper '" + operand + "'");
            }
            return Instruction.of(CALL, 0, CALL_HELPER, 0, helper.id());
        }
        return Instruction.of(CALL, 0, CALL_HELPER, 0, imm32(s, operand));
    }

    private Instruction lddw(Statement s, ProgramText program) {
        expectOperands(s, 2);
        int dst = register(s, s.operands.get(0));
        String value = s.operands.get(1);
        // map_idx: and map_idx_value: are the same loads by map index (sources 5 and 6), as loaders that pass an
        // fd_array emit them.
        if (value.startsWith("map:") || value.startsWith("map_idx:")) {
            int source = value.startsWith("map:") ? PSEUDO_MAP_FD : PSEUDO_MAP_IDX;
            return Instruction.lddw(dst, source, mapIndex(s, value.substring(value.indexOf(':') + 1)));
        }
        if (value.startsWith("map_value:") || value.startsWith("map_idx_value:")) {
            int source = value.startsWith("map_value:") ? PSEUDO_MAP_VALUE : PSEUDO_MAP_IDX_VALUE;
            String ref = value.substring(value.indexOf(':') + 1);
            long offset = 0;
            int sign = Math.max(ref.lastIndexOf('+'), ref.lastIndexOf('-'));
            if (sign > 0) {
                offset = parseNumber(ref.substring(sign), s.line, s.text, Integer.MIN_VALUE, Integer.MAX_VALUE, "offset");
                ref = ref.substring(0, sign);
            }
            int map = mapIndex(s, ref);
            return Instruction.lddw(dst, source, (map & 0xffffffffL) | (offset << 32));
        }
        if (value.startsWith("func:")) {
            return Instruction.lddw(dst, PSEUDO_FUNC, target(s, program, value.substring(5)) & 0xffffffffL);
        }
        return Instruction.lddw(dst, PSEUDO_NONE, imm64(s, value));
    }

    private int mapIndex(Statement s, String ref) {
        Integer index = mapIndexes.get(ref);
        if (index != null) {
            return index;
        }
        if (DIGITS.matcher(ref).matches()) {
            return (int) parseNumber(ref, s.line, s.text, 0, Integer.MAX_VALUE, "map index");
        }
        throw error(s, "unknown map '" + ref + "'");
    }

    private static final Map<String, Integer> ATOMIC_OPS = Map.ofEntries(Map.entry("add", ATOMIC_ADD), Map.entry("or", ATOMIC_OR),
                    Map.entry("and", ATOMIC_AND), Map.entry("xor", ATOMIC_XOR), Map.entry("xchg", ATOMIC_XCHG),
                    Map.entry("cmpxchg", ATOMIC_CMPXCHG));

    private Instruction atomic(Statement s) {
        String[] words = s.mnemonic.split(" ");
        if (words.length < 2 || s.operands.size() != 2) {
            throw error(s, "Invalid number of operands for lock");
        }
        boolean fetch = words[1].equals("fetch");
        if (fetch && words.length < 3) {
            throw error(s, "Invalid number of operands for lock");
        }
        String name = words[fetch ? 2 : 1];
        int size = SIZE_DW;
        if (name.endsWith("32")) {
            size = SIZE_W;
            name = name.substring(0, name.length() - 2);
        } else if (name.endsWith("64")) {
            name = name.substring(0, name.length() - 2);
        }
        Integer op = ATOMIC_OPS.get(name);
        if (op == null || (fetch && (op & ATOMIC_FETCH) != 0)) {
            throw error(s, "unknown atomic operation '" + s.mnemonic.substring(5) + "'");
        }
        int[] address = address(s, s.operands.get(0));
        return Instruction.of(CLASS_STX | size | MODE_ATOMIC, address[0], register(s, s.operands.get(1)), address[1],
                        op | (fetch ? ATOMIC_FETCH : 0));
    }

    // ---- operands --------------------------------------------------------------------------------------

    private void expectOperands(Statement s, int count) {
        if (s.operands.size() != count) {
            throw error(s, "'" + s.mnemonic + "' takes " + count + " operand" + (count == 1 ? "" : "s") + ", not " + s.operands.size());
        }
    }

    private static boolean isRegister(String operand) {
        return operand.startsWith("%") || BARE_REGISTER.matcher(operand).matches();
    }

    private int register(Statement s, String operand) {
        String name = operand.startsWith("%") ? operand.substring(1) : operand;
        if (REGISTER_NAME.matcher(name).matches()) {
            int number = Integer.parseInt(name.substring(1));
            if (number <= FRAME_POINTER) {
                return number;
            }
        }
        throw error(s, "Invalid register '" + operand + "'");
    }

    /** Parses {@code [%rN]}, {@code [%rN+off]} or {@code [%rN-off]} into base register and offset. */
    private int[] address(Statement s, String operand) {
        if (!operand.startsWith("[") || !operand.endsWith("]")) {
            throw error(s, "expected a memory operand like [%r1+8], not '" + operand + "'");
        }
        String inner = operand.substring(1, operand.length() - 1).trim();
        int sign = Math.max(inner.indexOf('+'), inner.indexOf('-'));
        if (sign < 0) {
            return new int[]{register(s, inner), 0};
        }
        int base = register(s, inner.substring(0, sign).trim());
        String offset = inner.substring(sign).replace(" ", "");
        return new int[]{base, (int) parseNumber(offset, s.line, s.text, Short.MIN_VALUE, Short.MAX_VALUE, "offset")};
    }

    /** A 32-bit immediate: decimal must fit a signed int; hex is the raw 32 bits; {@code helper:NAME} is the helper's id. */
    private int imm32(Statement s, String operand) {
        String text = operand.trim();
        if (text.startsWith("helper:")) {
            Helper helper = Helper.byName(text.substring(7));
            if (helper == null) {
                throw error(s, "unknown helper '" + text.substring(7) + "'");
            }
            return helper.id();
        }
        boolean negative = text.startsWith("-");
        String digits = negative || text.startsWith("+") ? text.substring(1) : text;
        if (digits.toLowerCase(Locale.ROOT).startsWith("0x")) {
            long value = parseUnsigned(s, operand, digits.substring(2), 0xffffffffL);
            return (int) (negative ? -value : value);
        }
        return (int) parseNumber(text, s.line, s.text, Integer.MIN_VALUE, Integer.MAX_VALUE, "immediate");
    }

    /** A 64-bit immediate of lddw: hex is unsigned 64-bit, decimal signed. */
    private long imm64(Statement s, String operand) {
        String text = operand.trim();
        boolean negative = text.startsWith("-");
        String digits = negative || text.startsWith("+") ? text.substring(1) : text;
        try {
            if (digits.toLowerCase(Locale.ROOT).startsWith("0x")) {
                long value = Long.parseUnsignedLong(digits.substring(2), 16);
                return negative ? -value : value;
            }
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw error(s, "invalid 64-bit immediate '" + operand + "'");
        }
    }

    private long parseUnsigned(Statement s, String operand, String hexDigits, long max) {
        try {
            long value = Long.parseUnsignedLong(hexDigits, 16);
            if (Long.compareUnsigned(value, max) > 0) {
                throw error(s, "immediate " + operand + " does not fit 32 bits");
            }
            return value;
        } catch (NumberFormatException e) {
            throw error(s, "invalid immediate '" + operand + "'");
        }
    }

    private long parseNumber(String text, int line, String lineText, long min, long max, String what) {
        String t = text.trim();
        boolean negative = t.startsWith("-");
        String digits = negative || t.startsWith("+") ? t.substring(1) : t;
        long value;
        try {
            value = digits.toLowerCase(Locale.ROOT).startsWith("0x") ? Long.parseLong(digits.substring(2), 16) : Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error(line, lineText, "invalid " + what + " '" + text + "'");
        }
        value = negative ? -value : value;
        if (value < min || value > max) {
            throw error(line, lineText, what + " " + text + " is out of range [" + min + ", " + max + "]");
        }
        return value;
    }

    /** A jump or call target: a label, {@code exit} (the first exit), or {@code +N}/{@code -N}; returns the distance. */
    private int target(Statement s, ProgramText program, String operand) {
        String t = QuotedNames.unquote(operand.trim());
        if (t.startsWith("+") || t.startsWith("-") || DIGITS.matcher(t).matches()) {
            return (int) parseNumber(t, s.line, s.text, Integer.MIN_VALUE, Integer.MAX_VALUE, "jump distance");
        }
        Integer slot = program.labels.get(t);
        if (slot == null && t.equals("exit")) {
            for (Statement candidate : program.statements) {
                if (candidate.mnemonic.equals("exit")) {
                    slot = candidate.slot;
                    break;
                }
            }
        }
        if (slot == null) {
            throw error(s, "unknown label '" + t + "'");
        }
        return slot - (s.slot + 1);
    }

    private int checkOffset(Statement s, int distance) {
        if (distance < Short.MIN_VALUE || distance > Short.MAX_VALUE) {
            throw error(s, "jump distance " + distance + " does not fit 16 bits (use ja32)");
        }
        return distance;
    }

    private BpfError error(Statement s, String reason) {
        return error(s.line, s.text, reason);
    }

    private BpfError error(int line, String text, String reason) {
        return new BpfError(BpfError.Kind.ASSEMBLE, fileName, "line " + line + " '" + text + "': " + reason);
    }
}
