package org.trufflebpf.model;

import java.io.Serial;

/**
 * A rejection of bad input or a failed run, with its place: the source file, the function, the instruction
 * index and the instruction's text. {@link #getMessage()} is the one line the launcher prints, for example
 * {@code prog.s: insn 12 'ldxdw %r2, [%r10-520]': stack access out of bounds (frame is 512 bytes)}.
 */
public class BpfError extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    /** What kind of input or stage the error comes from; callers and tests may tell them apart. */
    public enum Kind {
        DECODE, ASSEMBLE, LOAD, VERIFY, RUNTIME, BUDGET
    }

    private final Kind kind;
    private final String file;
    private final String function;
    private final int instructionIndex;
    private final String instructionText;
    private final String reason;
    private final int line;

    public BpfError(Kind kind, String file, String function, int instructionIndex, String instructionText, String reason) {
        this(kind, file, -1, function, instructionIndex, instructionText, reason);
    }

    private BpfError(Kind kind, String file, int line, String function, int instructionIndex, String instructionText, String reason) {
        super(format(file, line, function, instructionIndex, instructionText, reason), null, false, false);
        this.kind = kind;
        this.file = file;
        this.line = line;
        this.function = function;
        this.instructionIndex = instructionIndex;
        this.instructionText = instructionText;
        this.reason = reason;
    }

    /** An error about the whole input, with no instruction. */
    public BpfError(Kind kind, String file, String reason) {
        this(kind, file, null, -1, null, reason);
    }

    public static BpfError at(Kind kind, String file, String function, Instruction insn, String reason) {
        return new BpfError(kind, file, function, insn.index(), InstructionText.format(insn), reason);
    }

    private static String format(String file, int line, String function, int index, String text, String reason) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (line > 0) {
            sb.append("line ").append(line).append(": ");
        }
        if (function != null) {
            sb.append("function '").append(function).append("': ");
        }
        if (index >= 0) {
            sb.append("insn ").append(index);
            if (text != null) {
                sb.append(" '").append(text).append('\'');
            }
            sb.append(": ");
        }
        sb.append(reason);
        return sb.toString();
    }

    /** The same error with the source line it comes from, for inputs such as a conformance file's raw words. */
    public BpfError atLine(int sourceLine) {
        return new BpfError(kind, file, sourceLine, function, instructionIndex, instructionText, reason);
    }

    public Kind kind() {
        return kind;
    }

    public String file() {
        return file;
    }

    public String function() {
        return function;
    }

    public int instructionIndex() {
        return instructionIndex;
    }

    public String instructionText() {
        return instructionText;
    }

    public String reason() {
        return reason;
    }
}
