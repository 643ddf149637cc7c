package org.trufflebpf.elf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.trufflebpf.elf.ElfFile.Relocation;
import org.trufflebpf.elf.ElfFile.Section;
import org.trufflebpf.elf.ElfFile.Symbol;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionDecoder;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Opcodes;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.model.RefusedProgram;
import org.trufflebpf.model.SourceLine;
import org.trufflebpf.model.SourceLines;

/**
 * Turns the code sections of an object into linked programs, as libbpf does before loading: each global
 * function of a program section is a program; the functions it calls (bpf-to-bpf calls, or function addresses
 * taken with lddw), wherever they lie, are appended after its code in the order they are first reached, and
 * each call's pc-relative imm is rewritten to the callee's new place. lddw relocations become map references
 * ({@code PSEUDO_MAP_FD}, imm = map index) or global data references ({@code PSEUDO_MAP_VALUE}, imm = map
 * index, imm2 = offset).
 */
final class ProgramLinker {
    static final String SUBPROGRAM_SECTION = ".text";

    /** A function's byte range in an executable section; {@code symbol} is null for a section without symbols. */
    record Function(String name, Section section, long start, long size, Symbol symbol) {
        long end() {
            return start + size;
        }
    }

    /** A call or function address whose imm is fixed once the callee's place is known. */
    private record PendingReference(int codePosition, Function target) {
    }

    private final ElfFile elf;
    private final ElfMaps maps;
    private final BtfExt lineInfo;
    /** Executable section index → its functions, by start offset. */
    private final Map<Integer, TreeMap<Long, Function>> functions = new HashMap<>();
    /** Executable section index → relocations by offset. */
    private final Map<Integer, Map<Long, Relocation>> relocations = new HashMap<>();
    private final List<Function> programs = new ArrayList<>();
    /** Executable section index → its bytes, read once. */
    private final Map<Integer, byte[]> sectionBytes = new HashMap<>();

    private ProgramLinker(ElfFile elf, ElfMaps maps, BtfExt lineInfo) {
        this.elf = elf;
        this.maps = maps;
        this.lineInfo = lineInfo;
        for (Section section : elf.sections()) {
            if (section.isExecutable() && section.size() > 0) {
                readFunctions(section);
                indexRelocations(section);
            }
        }
    }

    /**
     * Links every program of the object; each instruction keeps the source line {@code lineInfo} gives it. A
     * program that cannot be linked goes to {@code refused} with the reason, and its siblings still link.
     */
    static List<Program> linkAll(ElfFile elf, ElfMaps maps, BtfExt lineInfo, List<RefusedProgram> refused) {
        ProgramLinker linker = new ProgramLinker(elf, maps, lineInfo);
        List<Program> result = new ArrayList<>();
        for (Function program : linker.programs) {
            try {
                result.add(linker.link(program));
            } catch (BpfError e) {
                refused.add(new RefusedProgram(program.name(), program.section().name(), e));
            }
        }
        return result;
    }

    private void readFunctions(Section section) {
        if (section.size() % Instruction.SLOT_BYTES != 0) {
            throw elf.error("code section '" + section.name() + "' is " + section.size() + " bytes, not a whole number of instructions");
        }
        List<Symbol> symbols = new ArrayList<>();
        for (Symbol symbol : elf.symbols()) {
            if (symbol.isFunction() && symbol.sectionIndex() == section.index()) {
                symbols.add(symbol);
            }
        }
        symbols.sort(Comparator.comparingLong(Symbol::value));
        TreeMap<Long, Function> bySection = new TreeMap<>();
        boolean programSection = !section.name().equals(SUBPROGRAM_SECTION);
        if (symbols.isEmpty() && programSection) {
            // Hand-written objects may have no function symbols: the whole section is one program.
            Function whole = new Function(section.name(), section, 0, section.size(), null);
            bySection.put(0L, whole);
            programs.add(whole);
        }
        for (int i = 0; i < symbols.size(); i++) {
            Symbol symbol = symbols.get(i);
            long start = symbol.value();
            if (start < 0 || start >= section.size() || start % Instruction.SLOT_BYTES != 0) {
                throw elf.error("function '" + symbol.name() + "' starts at offset " + Long.toUnsignedString(start) + ", not at an instruction of section '"
                                + section.name() + "' (" + section.size() + " bytes)");
            }
            long limit = i + 1 < symbols.size() ? symbols.get(i + 1).value() : section.size();
            long size = symbol.size() == 0 ? limit - start : symbol.size();
            if (size <= 0 || size % Instruction.SLOT_BYTES != 0 || size > limit - start) {
                throw elf.error("function '" + symbol.name() + "' (offset " + start + ", " + Long.toUnsignedString(symbol.size())
                                + " bytes) overlaps the next function or runs past section '" + section.name() + "'");
            }
            Function function = new Function(symbol.name(), section, start, size, symbol);
            bySection.put(start, function);
            if (programSection) {
                if (symbol.binding() == ElfFile.STB_LOCAL) {
                    throw elf.error("function '" + symbol.name() + "' in program section '" + section.name()
                                    + "' is static; programs must be global, subprograms belong in .text");
                }
                programs.add(function);
            }
        }
        functions.put(section.index(), bySection);
    }

    private void indexRelocations(Section section) {
        Map<Long, Relocation> byOffset = new HashMap<>();
        for (Relocation relocation : elf.relocationsFor(section.index())) {
            if (relocation.type() == ElfFile.R_BPF_NONE) {
                continue;
            }
            if (byOffset.put(relocation.offset(), relocation) != null) {
                throw elf.error("two relocations apply to offset " + relocation.offset() + " of section '" + section.name() + "'");
            }
        }
        relocations.put(section.index(), byOffset);
    }

    /**
     * Places the entry function at slot 0, then every function it reaches in libbpf's order: a callee is
     * appended when its first reference is met, and its own callees are placed before the caller's later
     * references are looked at (depth first). Then fixes the references' imms.
     */
    Program link(Function entry) {
        List<Instruction> code = new ArrayList<>();
        Map<Integer, String> symbols = new HashMap<>();
        Map<Integer, SourceLine> lines = new HashMap<>();
        Map<Function, Integer> placed = new HashMap<>();
        List<PendingReference> pending = new ArrayList<>();
        // Each stack entry is a placed function's references still to visit.
        Deque<Iterator<PendingReference>> stack = new ArrayDeque<>();
        stack.push(place(entry, entry, code, symbols, lines, placed, pending).iterator());
        while (!stack.isEmpty()) {
            Iterator<PendingReference> references = stack.peek();
            if (!references.hasNext()) {
                stack.pop();
                continue;
            }
            Function target = references.next().target();
            if (!placed.containsKey(target)) {
                stack.push(place(entry, target, code, symbols, lines, placed, pending).iterator());
            }
        }
        for (PendingReference reference : pending) {
            Instruction insn = code.get(reference.codePosition());
            int distance = placed.get(reference.target()) - (insn.index() + 1);
            code.set(reference.codePosition(), insn.withImm(distance));
        }
        List<MapDefinition> mapList = maps.maps();
        return new Program(entry.name(), entry.section().name(), ProgramType.forSection(entry.section().name()), code, mapList, elf.fileName(), symbols,
                        null, SourceLines.of(lines));
    }

    /** Appends a function's relocated code; returns the references it makes to functions. */
    private List<PendingReference> place(Function entry, Function function, List<Instruction> code, Map<Integer, String> symbols,
                    Map<Integer, SourceLine> lines, Map<Function, Integer> placed, List<PendingReference> pending) {
        int start = code.isEmpty() ? 0 : code.get(code.size() - 1).index() + code.get(code.size() - 1).slots();
        long end = start + function.size() / Instruction.SLOT_BYTES;
        if (end > Opcodes.MAX_INSNS) {
            throw elf.error("program '" + entry.name() + "' has more than " + Opcodes.MAX_INSNS + " instructions after linking");
        }
        placed.put(function, start);
        symbols.put(start, function.name());
        BtfExt.place(lineInfo.lines(function.section().name()), function.start(), function.end(), start, lines);
        int firstReference = pending.size();
        for (Instruction insn : relocate(entry, function, code.size(), pending)) {
            code.add(insn.at(start + insn.index()));
        }
        applyCoreRelocations(entry, function, start, code);
        return List.copyOf(pending.subList(firstReference, pending.size()));
    }

    /**
     * Applies the function's CO-RE relocations to its placed code; one that cannot be applied refuses the program,
     * naming it (left as compiled, an offset into a kernel type could be wrong).
     */
    private void applyCoreRelocations(Function entry, Function function, int start, List<Instruction> code) {
        for (CoreRelocation core : lineInfo.coreRelocations(function.section().name()).subMap(function.start(), true, function.end(), false).values()) {
            int slot = start + (int) ((core.insnOffset() - function.start()) / Instruction.SLOT_BYTES);
            int position = -1;
            for (int i = code.size() - 1; i >= 0 && position < 0; i--) {
                if (code.get(i).index() == slot) {
                    position = i;
                }
            }
            Instruction insn = position < 0 ? null : code.get(position);
            String reason = core.refusal();
            Instruction patched = reason == null && insn != null ? core.patch(insn) : null;
            if (patched == null) {
                reason = (reason != null ? reason : core.patchProblem()) + " (program '" + entry.name() + "')";
                throw insn != null ? BpfError.at(BpfError.Kind.LOAD, elf.fileName(), function.name(), insn, reason)
                                : new BpfError(BpfError.Kind.LOAD, elf.fileName(), function.name(), slot, null, reason);
            }
            code.set(position, patched);
        }
    }

    /**
     * Decodes one function and applies its relocations. References to other functions are recorded in
     * {@code pending} with their position in the program's code (the function's code starts at
     * {@code codeBase}).
     */
    private List<Instruction> relocate(Function entry, Function function, int codeBase, List<PendingReference> pending) {
        Section section = function.section();
        byte[] contents = sectionBytes.computeIfAbsent(section.index(), i -> elf.contents(section));
        byte[] bytes = Arrays.copyOfRange(contents, (int) function.start(), (int) function.end());
        List<Instruction> decoded;
        try {
            decoded = InstructionDecoder.decode(bytes, elf.fileName());
        } catch (BpfError e) {
            throw new BpfError(BpfError.Kind.LOAD, elf.fileName(), function.name(), e.instructionIndex(), e.instructionText(), e.reason());
        }
        Map<Long, Relocation> sectionRelocations = relocations.get(section.index());
        int used = 0;
        List<Instruction> result = new ArrayList<>(decoded.size());
        for (Instruction insn : decoded) {
            long offset = function.start() + (long) insn.index() * Instruction.SLOT_BYTES;
            Relocation relocation = sectionRelocations.get(offset);
            if (relocation != null) {
                used++;
            }
            Instruction linked = relocateOne(function, insn, offset, relocation, codeBase + result.size(), pending);
            result.add(linked);
        }
        int inRange = 0;
        for (Long offset : sectionRelocations.keySet()) {
            if (offset >= function.start() && offset < function.end()) {
                inRange++;
            }
        }
        if (inRange != used) {
            throw error(function, null, "a relocation in section '" + section.name() + "' does not start an instruction (program '" + entry.name() + "')");
        }
        return result;
    }

    private Instruction relocateOne(Function function, Instruction insn, long offset, Relocation relocation, int codePosition,
                    List<PendingReference> pending) {
        boolean isCall = insn.opcode() == Opcodes.CALL;
        boolean isLddw = insn.opcode() == Opcodes.LDDW;
        if (relocation == null) {
            if (isCall && insn.src() == Opcodes.CALL_LOCAL) {
                // A call to a static function of the same section carries no relocation: imm is relative to the call.
                long target = offset + Instruction.SLOT_BYTES + (long) insn.imm() * Instruction.SLOT_BYTES;
                if (target >= function.start() && target < function.end()) {
                    return insn;
                }
                pending.add(new PendingReference(codePosition, functionAt(function, insn, function.section(), target)));
                return insn;
            }
            if (isLddw && insn.src() != Opcodes.PSEUDO_NONE) {
                throw error(function, insn, "lddw with pseudo source " + insn.src() + " has no relocation; objects refer to maps and functions by relocation");
            }
            return insn;
        }
        int type = relocation.type();
        if (type != ElfFile.R_BPF_64_64 && type != ElfFile.R_BPF_64_32) {
            throw error(function, insn, "relocation type " + type + " is not valid in code (expected R_BPF_64_64 or R_BPF_64_32)");
        }
        Symbol symbol = elf.symbol(relocation.symbolIndex());
        if (symbol.sectionIndex() == ElfFile.SHN_UNDEF && isCall) {
            // Old clang left struct copies and clears as calls to the C library, which BPF programs cannot call.
            throw error(function, insn, "calls undefined function '" + symbol.name() + "'" + (symbol.name().startsWith("mem")
                            ? " (old clang leaves a large struct clear or copy as this library call, which BPF cannot make and TruffleBPF does not lower)"
                            : " (BPF programs call only helpers, kfuncs by BTF id, and their own functions)"));
        }
        if (!isCall && !isLddw) {
            throw error(function, insn, "relocation against '" + symbol.name() + "' applies to an instruction that is neither lddw nor call");
        }
        if (isCall && insn.src() != Opcodes.CALL_LOCAL) {
            throw error(function, insn, "relocation against '" + symbol.name() + "' applies to a call that is not a bpf-to-bpf call");
        }
        if (isLddw && insn.src() != Opcodes.PSEUDO_NONE) {
            throw error(function, insn, "relocated lddw already has pseudo source " + insn.src());
        }
        if (symbol.sectionIndex() == ElfFile.SHN_UNDEF) {
            throw error(function, insn, "refers to undefined symbol '" + symbol.name() + "' (extern variables, ksyms and kfuncs are not supported)");
        }
        if (!symbol.isDefinedInSection()) {
            throw error(function, insn, "refers to '" + symbol.name() + "', which is not defined in a section");
        }
        Section target = elf.section(symbol.sectionIndex());
        if (isCall) {
            if (!target.isExecutable()) {
                throw error(function, insn, "calls '" + symbol.name() + "' in section '" + target.name() + "', which is not code");
            }
            // libbpf: callee = symbol offset + (imm + 1) instructions; imm is -1 for global callees.
            long targetOffset = symbol.value() + ((long) insn.imm() + 1) * Instruction.SLOT_BYTES;
            pending.add(new PendingReference(codePosition, functionAt(function, insn, target, targetOffset)));
            return insn;
        }
        long address = symbol.value() + insn.imm();
        if (target.isExecutable()) {
            // A function's address (for example a bpf_loop callback): the imm holds the byte offset.
            pending.add(new PendingReference(codePosition, functionAt(function, insn, target, address)));
            return insn.withImm64(Opcodes.PSEUDO_FUNC, 0);
        }
        if (maps.isMapSection(target.index())) {
            int map = maps.mapDefinedAt(target.index(), address);
            String unsupported = map < 0 ? maps.unsupportedAt(target.index(), address) : null;
            if (unsupported != null) {
                throw error(function, insn, unsupported);
            }
            if (map < 0) {
                throw error(function, insn, "refers to '" + symbol.name() + "', but no map is defined at offset " + address + " of section '"
                                + target.name() + "'");
            }
            return insn.withImm64(Opcodes.PSEUDO_MAP_FD, map);
        }
        int data = maps.globalDataMap(target.index());
        if (data >= 0) {
            if (address < 0 || address >= target.size()) {
                throw error(function, insn, "refers to offset " + address + " of '" + target.name() + "', outside its " + target.size() + " bytes");
            }
            return insn.withImm64(Opcodes.PSEUDO_MAP_VALUE, ((long) (int) address << 32) | (data & 0xffffffffL));
        }
        throw error(function, insn, "refers to '" + symbol.name() + "' in section '" + target.name() + "', which is neither a map nor global data");
    }

    private Function functionAt(Function caller, Instruction insn, Section section, long offset) {
        TreeMap<Long, Function> inSection = functions.get(section.index());
        Function callee = inSection == null ? null : inSection.get(offset);
        if (callee == null) {
            throw error(caller, insn, "call target (offset " + offset + " of section '" + section.name() + "') is not the start of a function");
        }
        return callee;
    }

    private BpfError error(Function function, Instruction insn, String reason) {
        if (insn == null) {
            return new BpfError(BpfError.Kind.LOAD, elf.fileName(), function.name(), -1, null, reason);
        }
        return BpfError.at(BpfError.Kind.LOAD, elf.fileName(), function.name(), insn, reason);
    }
}
