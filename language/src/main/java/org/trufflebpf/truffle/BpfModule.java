package org.trufflebpf.truffle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.ObjectBtf;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.MapSet;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.interop.ArityException;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.interop.UnsupportedMessageException;
import com.oracle.truffle.api.interop.UnsupportedTypeException;
import com.oracle.truffle.api.library.CachedLibrary;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/**
 * What evaluating a source gives: its programs and maps as members, by name. Executing the module runs its
 * first loaded program. Programs the loader or verifier refused are members too, after the loaded ones
 * ({@link BpfRefusedProgram}): they say why, and running one fails with that reason.
 *
 * <p>Internal members (listed with internal ones only; invoking one of these names always reaches it, and a
 * program of the same name runs through {@code readMember(name)} and {@code execute}) tell about the object as it was read, as text to print ({@link ObjectInspection}): {@code listing([program])},
 * {@code summary()}, {@code disassembly()}, {@code programNames([program])}, {@code verify(program)},
 * {@code kernelVerdict(program)} (an object with {@code accepted}, {@code reason} and {@code log}, or null for
 * a raw-memory program); {@code statuses()} (each program's {@code name} and summary {@code status}); {@code facts()} (each program's {@code name}, context {@code type} and called
 * {@code helpers} by Linux name, under {@code programs}; each map's {@code name} and {@code type}, under
 * {@code maps}); {@code inputMemory()}, the bytes a conformance file gives its program ({@code --
 * mem}) or null; and {@code mapDump([all])}, the maps as they are now, decoded with the object's BTF
 * ({@link MapDump}), and {@code mapRecords([all])}, the same as records (for {@code --json}). With {@code bpf.Prepare=false} they are all the module has.
 */
@ExportLibrary(value = InteropLibrary.class, delegateTo = "members")
public final class BpfModule implements TruffleObject {
    private static final String LISTING = "listing";
    private static final String SUMMARY = "summary";
    private static final String DISASSEMBLY = "disassembly";
    private static final String PROGRAM_NAMES = "programNames";
    private static final String VERIFY = "verify";
    private static final String KERNEL_VERDICT = "kernelVerdict";
    private static final String VERIFY_LOG = "verifyLog";
    private static final String INPUT_MEMORY = "inputMemory";
    private static final String FACTS = "facts";
    private static final String MAP_DUMP = "mapDump";
    private static final String MAP_RECORDS = "mapRecords";
    private static final String STATUSES = "statuses";
    private static final List<String> INTERNAL_MEMBERS = List.of(LISTING, SUMMARY, DISASSEMBLY, PROGRAM_NAMES, VERIFY, VERIFY_LOG, KERNEL_VERDICT,
                    INPUT_MEMORY, FACTS, MAP_DUMP, MAP_RECORDS, STATUSES);

    private final String name;
    private final List<BpfProgram> programs;
    private final List<BpfRefusedProgram> refused;
    /** The programs and maps by name; reading a member is the record's (internal members are not in it). */
    final InteropRecord members;
    private final ObjectInspection inspection;
    private final byte[] inputMemory;
    private final MapDump mapDump;

    BpfModule(String name, List<BpfProgram> programs, List<BpfRefusedProgram> refused, MapSet maps, ObjectInspection inspection, byte[] inputMemory,
                    ObjectBtf btf) {
        this.name = name;
        this.mapDump = new MapDump(maps, btf);
        this.programs = List.copyOf(programs);
        this.refused = List.copyOf(refused);
        this.inspection = inspection;
        this.inputMemory = inputMemory;
        Map<String, Object> byName = new LinkedHashMap<>();
        for (BpfProgram program : programs) {
            byName.put(program.name(), program);
        }
        for (BpfRefusedProgram program : refused) {
            byName.putIfAbsent(program.name(), program);
        }
        for (BpfMap map : maps.all()) {
            byName.putIfAbsent(map.name(), new BpfMapObject(map));
        }
        this.members = new InteropRecord(byName);
    }

    BpfProgram program(String programName) {
        for (BpfProgram program : programs) {
            if (program.name().equals(programName)) {
                return program;
            }
        }
        return null;
    }

    @ExportMessage
    boolean hasMembers() {
        return true;
    }

    @ExportMessage
    @TruffleBoundary
    Object getMembers(boolean includeInternal) {
        List<String> names = new ArrayList<>(members.names());
        if (includeInternal) {
            for (String internal : INTERNAL_MEMBERS) {
                if (!members.names().contains(internal)) {
                    names.add(internal);
                }
            }
        }
        return new InteropArray(names.toArray());
    }

    /** Internal unless a program or map has the same name, which then is an ordinary member too. */
    @ExportMessage
    @TruffleBoundary
    boolean isMemberInternal(String member) {
        return INTERNAL_MEMBERS.contains(member) && !members.names().contains(member);
    }

    @ExportMessage
    @TruffleBoundary
    boolean isMemberInvocable(String member) {
        Object value = members.value(member);
        return INTERNAL_MEMBERS.contains(member) || value instanceof BpfProgram || value instanceof BpfRefusedProgram;
    }

    /** {@code module.program(args)}, as JavaScript and other languages call a member; or an internal member. */
    @ExportMessage
    Object invokeMember(String member, Object[] arguments, @CachedLibrary(limit = "1") InteropLibrary interop)
                    throws UnknownIdentifierException, UnsupportedTypeException, ArityException, UnsupportedMessageException {
        if (isInternalName(member)) {
            return invokeInternal(member, arguments);
        }
        Object program = members.value(member);
        if (!(program instanceof BpfProgram) && !(program instanceof BpfRefusedProgram)) {
            throw UnknownIdentifierException.create(member);
        }
        return interop.execute(program, arguments);
    }

    @TruffleBoundary
    private static boolean isInternalName(String member) {
        return INTERNAL_MEMBERS.contains(member);
    }

    @TruffleBoundary
    private Object invokeInternal(String member, Object[] arguments) throws ArityException, UnsupportedTypeException {
        boolean takesProgram = member.equals(VERIFY) || member.equals(VERIFY_LOG) || member.equals(KERNEL_VERDICT);
        boolean mayTakeProgram = member.equals(LISTING) || member.equals(PROGRAM_NAMES) || member.equals(MAP_DUMP) || member.equals(MAP_RECORDS);
        int min = takesProgram ? 1 : 0;
        int max = takesProgram || mayTakeProgram ? 1 : 0;
        if (arguments.length < min || arguments.length > max) {
            throw ArityException.create(min, max, arguments.length);
        }
        if (member.equals(MAP_DUMP) || member.equals(MAP_RECORDS)) {
            return mapDump(arguments, member.equals(MAP_RECORDS));
        }
        String program = null;
        if (arguments.length == 1) {
            try {
                program = InteropLibrary.getUncached().asString(arguments[0]);
            } catch (UnsupportedMessageException e) {
                throw UnsupportedTypeException.create(arguments, "expected a program's name or section");
            }
        }
        try {
            return switch (member) {
                case LISTING -> program == null ? inspection.listing() : inspection.listing(program);
                case SUMMARY -> inspection.summary();
                case DISASSEMBLY -> inspection.disassembly();
                case PROGRAM_NAMES -> new InteropArray(program == null ? inspection.programNames().toArray() : new Object[] {inspection.programName(program)});
                case VERIFY -> inspection.verify(program);
                case VERIFY_LOG -> inspection.verifyLog(program);
                case KERNEL_VERDICT -> {
                    Map<String, Object> verdict = inspection.kernelVerdict(program);
                    yield verdict == null ? NullValue.INSTANCE : new InteropRecord(verdict);
                }
                case FACTS -> new InteropRecord(inspection.facts());
                case STATUSES -> new InteropArray(inspection.statuses().stream().map(InteropRecord::new).toArray());
                case INPUT_MEMORY -> inputMemory == null ? NullValue.INSTANCE : new ByteBufferObject(inputMemory.clone());
                default -> throw new IllegalStateException("no internal member " + member);
            };
        } catch (BpfError error) {
            throw BpfGuestException.of(error, null);
        }
    }

    /** {@code mapDump([all])}: the maps as text, or {@code mapRecords([all])} as records; {@code all} (a boolean) also lists zero and empty slots. */
    private Object mapDump(Object[] arguments, boolean records) throws UnsupportedTypeException {
        boolean all = false;
        if (arguments.length == 1) {
            try {
                all = InteropLibrary.getUncached().asBoolean(arguments[0]);
            } catch (UnsupportedMessageException e) {
                throw UnsupportedTypeException.create(arguments, "expected a boolean: whether to show every slot");
            }
        }
        try {
            return records ? mapDump.records(all) : mapDump.text(all);
        } catch (BpfError error) {
            throw BpfGuestException.of(error, null);
        }
    }

    @ExportMessage
    boolean isExecutable() {
        return !programs.isEmpty() || !refused.isEmpty();
    }

    /** Runs the first loaded program; when all were refused, fails with the first one's reason. */
    @ExportMessage
    Object execute(Object[] arguments, @CachedLibrary(limit = "1") InteropLibrary interop)
                    throws UnsupportedTypeException, ArityException, UnsupportedMessageException {
        return interop.execute(programs.isEmpty() ? refused.get(0) : programs.get(0), arguments);
    }

    @ExportMessage
    @TruffleBoundary
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return "bpf module " + name + " " + members.names();
    }
}
