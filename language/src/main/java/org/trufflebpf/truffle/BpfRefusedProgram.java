package org.trufflebpf.truffle;

import java.util.Locale;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.ProgramSections;
import org.trufflebpf.model.RefusedProgram;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/**
 * A program of a module that the loader or verifier refused, in its place among the module's members: it
 * tells its {@code name}, {@code section}, {@code type} (the Linux type its section names, or empty) and
 * {@code refused} (the reason, one line); running it in any way ({@code execute}, {@code executeWithContext},
 * ...) fails with that reason, so a host that asks for it learns why rather than finding nothing.
 */
@ExportLibrary(InteropLibrary.class)
final class BpfRefusedProgram implements TruffleObject {
    static final String REFUSED = "refused";

    private final RefusedProgram refusal;

    BpfRefusedProgram(RefusedProgram refusal) {
        this.refusal = refusal;
    }

    String name() {
        return refusal.name();
    }

    BpfError reason() {
        return refusal.reason();
    }

    @ExportMessage
    boolean isExecutable() {
        return true;
    }

    @ExportMessage
    Object execute(@SuppressWarnings("unused") Object[] arguments) {
        throw fail();
    }

    @TruffleBoundary
    private BpfGuestException fail() {
        return BpfGuestException.of(refusal.reason(), null);
    }

    @ExportMessage
    boolean hasMembers() {
        return true;
    }

    @ExportMessage
    Object getMembers(@SuppressWarnings("unused") boolean includeInternal) {
        return new InteropArray("name", "type", "section", REFUSED);
    }

    @ExportMessage
    @TruffleBoundary
    boolean isMemberReadable(String member) {
        return member.equals("name") || member.equals("type") || member.equals("section") || member.equals(REFUSED);
    }

    @ExportMessage
    @TruffleBoundary
    Object readMember(String member) throws UnknownIdentifierException {
        return switch (member) {
            case "name" -> refusal.name();
            case "section" -> refusal.section() == null ? "" : refusal.section();
            case "type" -> {
                ProgramSections.Kind kind = ProgramSections.of(refusal.section());
                yield kind == null ? "" : kind.linuxType().toLowerCase(Locale.ROOT);
            }
            case REFUSED -> refusal.reason().getMessage();
            default -> throw UnknownIdentifierException.create(member);
        };
    }

    /** The run members a loaded program has: each fails here with the refusal. */
    @ExportMessage
    boolean isMemberInvocable(String member) {
        return member.equals(BpfProgram.EXECUTE_COUNTED) || member.equals(BpfProgram.EXECUTE_WITH_CONTEXT) || member.equals(BpfProgram.WITH_TAIL_CALL_ABI);
    }

    @ExportMessage
    Object invokeMember(String member, @SuppressWarnings("unused") Object[] arguments) throws UnknownIdentifierException {
        if (!isMemberInvocable(member)) {
            throw UnknownIdentifierException.create(member);
        }
        throw fail();
    }

    @ExportMessage
    @TruffleBoundary
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return "refused bpf program " + refusal.name() + ": " + refusal.reason().getMessage();
    }
}
