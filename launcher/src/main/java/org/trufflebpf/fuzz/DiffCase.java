package org.trufflebpf.fuzz;

import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.ByteSequence;

/**
 * One program to run on both engines: its source (assembly text, or bytes: ELF object or raw bytecode), the
 * program to run (null: the module's first), the input memory or packet (null: none), and the tail-call ABI
 * (null: the context's).
 */
public record DiffCase(String name, String text, byte[] bytes, String program, byte[] input, String tailCallAbi) {
    public static final String ASM_MIME = "text/x-bpf-asm";
    public static final String BYTES_MIME = "application/x-bpf";

    public static DiffCase assembly(String name, String text, String program, byte[] input) {
        return new DiffCase(name, text, null, program, input, null);
    }

    public static DiffCase binary(String name, byte[] bytes, String program, byte[] input) {
        return new DiffCase(name, null, bytes, program, input, null);
    }

    public DiffCase withText(String newText) {
        return new DiffCase(name, newText, bytes, program, input, tailCallAbi);
    }

    public DiffCase withInput(byte[] newInput) {
        return new DiffCase(name, text, bytes, program, newInput, tailCallAbi);
    }

    /** The same case run under a tail-call ABI ({@code counter-by-value} or {@code shared}; null: the context's). */
    public DiffCase withTailCallAbi(String abi) {
        return new DiffCase(name, text, bytes, program, input, abi);
    }

    /** Never cached: each evaluation is a fresh module with fresh maps, even for a text seen before. */
    Source source() {
        Source.Builder builder = text != null ? Source.newBuilder("bpf", text, name).mimeType(ASM_MIME)
                        : Source.newBuilder("bpf", ByteSequence.create(bytes), name).mimeType(BYTES_MIME);
        return builder.cached(false).buildLiteral();
    }
}
