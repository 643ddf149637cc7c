package org.trufflebpf.truffle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * first program.
 */
@ExportLibrary(InteropLibrary.class)
public final class BpfModule implements TruffleObject {
    private final String name;
    private final List<BpfProgram> programs;
    private final Map<String, Object> members = new LinkedHashMap<>();

    BpfModule(String name, List<BpfProgram> programs, MapSet maps) {
        this.name = name;
        this.programs = List.copyOf(programs);
        for (BpfProgram program : programs) {
            members.put(program.name(), program);
        }
        for (BpfMap map : maps.all()) {
            members.putIfAbsent(map.name(), new BpfMapObject(map));
        }
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
    Object getMembers(@SuppressWarnings("unused") boolean includeInternal) {
        return new InteropArray(new ArrayList<>(members.keySet()).toArray());
    }

    @ExportMessage
    @TruffleBoundary
    boolean isMemberReadable(String member) {
        return members.containsKey(member);
    }

    @ExportMessage
    @TruffleBoundary
    Object readMember(String member) throws UnknownIdentifierException {
        Object value = members.get(member);
        if (value == null) {
            throw UnknownIdentifierException.create(member);
        }
        return value;
    }

    @ExportMessage
    @TruffleBoundary
    boolean isMemberInvocable(String member) {
        return members.get(member) instanceof BpfProgram;
    }

    /** {@code module.program(args)}, as JavaScript and other languages call a member. */
    @ExportMessage
    Object invokeMember(String member, Object[] arguments, @CachedLibrary(limit = "1") InteropLibrary interop)
                    throws UnknownIdentifierException, UnsupportedTypeException, ArityException, UnsupportedMessageException {
        Object program = readMember(member);
        if (!(program instanceof BpfProgram)) {
            throw UnknownIdentifierException.create(member);
        }
        return interop.execute(program, arguments);
    }

    @ExportMessage
    boolean isExecutable() {
        return !programs.isEmpty();
    }

    @ExportMessage
    Object execute(Object[] arguments, @CachedLibrary(limit = "1") InteropLibrary interop)
                    throws UnsupportedTypeException, ArityException, UnsupportedMessageException {
        return interop.execute(programs.get(0), arguments);
    }

    @ExportMessage
    @TruffleBoundary
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return "bpf module " + name + " " + members.keySet();
    }
}
