package org.trufflebpf.truffle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.trufflebpf.asm.ObjectListing;
import org.trufflebpf.elf.ProgramListing;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.BpfObject;
import org.trufflebpf.model.Helper;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionForms;
import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramSections;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.model.RefusedProgram;
import org.trufflebpf.runtime.KernelEngineProvider;
import org.trufflebpf.verifier.Verifier;
import org.trufflebpf.verifier.VerifierOptions;
import org.trufflebpf.verifier.VerifierReport;

/**
 * What a module tells about its object as it was read (before verification, context rewrite and building),
 * as text to print: its listing as assembly, its summary and annotated disassembly, and each program's
 * verdicts, ours and the host kernel's. A program is named by its name or by its section when that is unique;
 * programs get the context type {@code bpf.Context} forces, if any.
 */
final class ObjectInspection {
    private final BpfObject object;
    private final ProgramType contextOverride;
    private final VerifierOptions verifierOptions;

    ObjectInspection(BpfObject object, ProgramType contextOverride, VerifierOptions verifierOptions) {
        this.verifierOptions = verifierOptions;
        this.object = object;
        this.contextOverride = contextOverride;
    }

    /** The whole object as assembly that the assembler reads back ({@code bpf disasm}). */
    String listing() {
        return ObjectListing.list(object);
    }

    /** One program as assembly. */
    String listing(String wanted) {
        return ObjectListing.listProgram(program(wanted));
    }

    /**
     * Programs, maps and global data, then each program's status ({@code bpf inspect}): verified, or refused
     * with the reason the loader, its section or our verifier gives; as a module would load it, one program's
     * refusal leaves the others' status alone.
     */
    String summary() {
        StringBuilder sb = new StringBuilder(ProgramListing.summary(object));
        sb.append("status:\n");
        for (Map<String, Object> status : statuses()) {
            sb.append(String.format(Locale.ROOT, "  %-24s %s%n", status.get("name"), status.get("status")));
        }
        return sb.toString();
    }

    /** Each program's {@code name} and {@code status} ({@code statuses()}, and the summary's last lines): "verified" or "refused: " and why. */
    List<Map<String, Object>> statuses() {
        List<Map<String, Object>> statuses = new ArrayList<>();
        for (Program program : object.programs()) {
            String problem = contextOverride != null ? null : ProgramSections.typeProblem(program.section());
            String status;
            if (problem != null) {
                status = "refused: " + new BpfError(BpfError.Kind.LOAD, object.sourceName(), program.name(), -1, null, problem).getMessage();
            } else {
                try {
                    Verifier.verify(contextOverride == null ? program : program.withType(contextOverride), verifierOptions);
                    status = "verified";
                } catch (BpfError e) {
                    status = "refused: " + e.getMessage();
                }
            }
            statuses.add(status(program.name(), status));
        }
        for (RefusedProgram program : object.refused()) {
            statuses.add(status(program.name(), "refused: " + program.reason().getMessage()));
        }
        return statuses;
    }

    private static Map<String, Object> status(String name, String status) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("name", name);
        record.put("status", status);
        return record;
    }

    /** Each program's code with function labels, map names and call targets ({@code bpf inspect --disasm}). */
    String disassembly() {
        StringBuilder sb = new StringBuilder();
        for (Program program : object.programs()) {
            sb.append('\n').append("program ").append(program.name()).append(" (section ").append(program.section()).append("):\n");
            sb.append(ProgramListing.disassemble(program));
        }
        return sb.toString();
    }

    /**
     * What a comparison with another engine must know before it runs ({@code facts()}): each program's name,
     * context type (as a program's {@code type} member names it) and the Linux names of the helpers it calls with {@code call IMM}, and each map's
     * name and type ({@code enum bpf_map_type} name, lower case). For fuzz campaigns' instruction coverage, each program's
     * {@code forms} and all {@code validForms} ({@link InstructionForms}).
     */
    Map<String, Object> facts() {
        List<Object> programs = new ArrayList<>();
        for (Program program : object.programs()) {
            Set<String> helpers = new TreeSet<>();
            Set<String> forms = new TreeSet<>();
            for (Instruction insn : program.code()) {
                forms.add(InstructionForms.of(insn));
                if (insn.isHelperCall()) {
                    Helper helper = Helper.byId(insn.imm());
                    // An unknown id has no Linux name; the verifier refuses it by number too.
                    helpers.add(helper != null ? helper.linuxName() : "helper " + insn.imm());
                }
            }
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("name", program.name());
            facts.put("type", (contextOverride != null ? contextOverride : program.type()).name().toLowerCase(Locale.ROOT));
            facts.put("helpers", new InteropArray(helpers.toArray()));
            facts.put("forms", new InteropArray(forms.toArray()));
            programs.add(new InteropRecord(facts));
        }
        List<Object> maps = new ArrayList<>();
        for (MapDefinition map : object.maps()) {
            maps.add(new InteropRecord(Map.of("name", map.name(), "type", map.type().name().toLowerCase(Locale.ROOT))));
        }
        return Map.of("programs", new InteropArray(programs.toArray()), "maps", new InteropArray(maps.toArray()), "validForms",
                        new InteropArray(InstructionForms.all().toArray()));
    }

    /** The names of the object's programs, in order, then those the loader refused (asking for one of these gives its reason). */
    List<String> programNames() {
        List<String> names = new ArrayList<>();
        for (Program program : object.programs()) {
            names.add(program.name());
        }
        for (RefusedProgram program : object.refused()) {
            names.add(program.name());
        }
        return names;
    }

    /** The name of the program {@code wanted} names. */
    String programName(String wanted) {
        return program(wanted).name();
    }

    /** What our verifier finds in the program ({@code bpf verify}); a rejection is a {@link BpfError}. */
    String verify(String wanted) {
        Program program = program(wanted);
        String problem = contextOverride != null ? null : ProgramSections.typeProblem(program.section());
        if (problem != null) {
            throw new BpfError(BpfError.Kind.LOAD, object.sourceName(), program.name(), -1, null, problem);
        }
        return VerifierReport.of(Verifier.verify(typed(wanted), verifierOptions));
    }

    /** {@code bpf verify --log}: the register states along the path our verifier refused; empty when it verifies. */
    String verifyLog(String wanted) {
        return Verifier.failureLog(typed(wanted), verifierOptions);
    }

    /**
     * The host kernel's verdict on the program as written ({@code bpf verify --kernel}): accepted, reason and
     * the whole verifier log; null for a raw-memory program, which has no kernel counterpart.
     */
    Map<String, Object> kernelVerdict(String wanted) {
        Program typed = typed(wanted);
        if (typed.type() == ProgramType.RAW) {
            return null;
        }
        KernelEngineProvider kernel = KernelEngineProvider.find()
                        .orElseThrow(() -> new BpfError(BpfError.Kind.LOAD, object.sourceName(), "no kernel engine on the class path (module kernel)"));
        KernelEngineProvider.Verdict verdict = kernel.verify(typed, object.btf());
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("accepted", verdict.accepted());
        members.put("reason", verdict.reason());
        members.put("log", verdict.log());
        members.put("btf", verdict.btf());
        return members;
    }

    private Program typed(String wanted) {
        Program program = program(wanted);
        return contextOverride == null ? program : program.withType(contextOverride);
    }

    private Program program(String wanted) {
        Program program = object.findProgram(wanted);
        for (RefusedProgram refused : object.refused()) {
            if (program == null && (refused.name().equals(wanted) || wanted.equals(refused.section()))) {
                throw refused.reason();
            }
        }
        if (program == null) {
            throw new BpfError(BpfError.Kind.LOAD, object.sourceName(), "no program named '" + wanted + "' (or not unique in its section)");
        }
        return program;
    }
}
