package org.trufflebpf.truffle;

import java.util.LinkedHashMap;
import java.util.Map;

import org.trufflebpf.runtime.NativeMemory;
import org.trufflebpf.runtime.maps.BpfMap;
import org.trufflebpf.runtime.maps.MapSet;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/**
 * What a debugger shows for a paused BPF function: r0 to r10 as they are at the pause, the function's stack
 * frame (the bytes below r10, lowest address first) and the run's maps by name, as the same objects a host
 * reads from the module. Registers and stack are copied when the debugger asks, so they stay as they were at
 * that pause.
 */
@ExportLibrary(value = InteropLibrary.class, delegateTo = "members")
public final class DebugScope implements TruffleObject {
    /** Answers every member message: a scope is a record with a name and a language. */
    final InteropRecord members;
    private final String name;

    private DebugScope(String name, Map<String, Object> members) {
        this.name = name;
        this.members = new InteropRecord(members);
    }

    /**
     * A function's scope: its registers, the {@code frameSize} bytes of stack below r10 (r10 is
     * {@code registers[10]}; the run owns that memory while the function is paused) and the maps of the run.
     */
    @TruffleBoundary
    public static DebugScope of(String function, long[] registers, int frameSize, MapSet maps) {
        Map<String, Object> members = new LinkedHashMap<>();
        for (int r = 0; r < registers.length; r++) {
            members.put("r" + r, registers[r]);
        }
        long base = registers[10] - frameSize;
        Object[] stack = new Object[frameSize];
        for (int i = 0; i < frameSize; i++) {
            stack[i] = (int) NativeMemory.read(base + i, 1);
        }
        members.put("stack", new InteropArray(stack));
        if (maps != null) {
            for (BpfMap map : maps.all()) {
                members.putIfAbsent(map.name(), new BpfMapObject(map));
            }
        }
        return new DebugScope(function, members);
    }

    @ExportMessage
    boolean isScope() {
        return true;
    }

    @ExportMessage
    boolean hasLanguage() {
        return true;
    }

    @ExportMessage
    Class<? extends TruffleLanguage<?>> getLanguage() {
        return BpfLanguage.class;
    }

    // A scope must export these two itself (InteropLibrary's rule for isScope); the record answers them.
    @ExportMessage
    boolean hasMembers() {
        return true;
    }

    @ExportMessage
    Object getMembers(@SuppressWarnings("unused") boolean includeInternal) {
        return members.nameList();
    }

    @ExportMessage
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return name;
    }
}
