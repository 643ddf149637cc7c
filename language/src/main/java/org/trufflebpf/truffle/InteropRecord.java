package org.trufflebpf.truffle;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/** A read-only object of named interop values, such as the kernel's verdict on a program; a null value reads as null. */
@ExportLibrary(InteropLibrary.class)
final class InteropRecord implements TruffleObject {
    private final Map<String, Object> members;

    InteropRecord(Map<String, Object> members) {
        this.members = new LinkedHashMap<>(members);
    }

    /** The member names, in the order they were given. */
    Set<String> names() {
        return Collections.unmodifiableSet(members.keySet());
    }

    /** {@link #names()} as an interop list. */
    @TruffleBoundary
    InteropArray nameList() {
        return new InteropArray(members.keySet().toArray());
    }

    /** The value of {@code member} as given (null when it is absent or given as null). */
    @TruffleBoundary
    Object value(String member) {
        return members.get(member);
    }

    @ExportMessage
    boolean hasMembers() {
        return true;
    }

    @ExportMessage
    @TruffleBoundary
    Object getMembers(@SuppressWarnings("unused") boolean includeInternal) {
        return nameList();
    }

    @ExportMessage
    @TruffleBoundary
    boolean isMemberReadable(String member) {
        return members.containsKey(member);
    }

    @ExportMessage
    @TruffleBoundary
    Object readMember(String member) throws UnknownIdentifierException {
        if (!members.containsKey(member)) {
            throw UnknownIdentifierException.create(member);
        }
        Object value = members.get(member);
        return value == null ? NullValue.INSTANCE : value;
    }
}
