package org.trufflebpf.jit.x64;

import java.util.ArrayList;
import java.util.List;

import org.trufflebpf.asm.Disassembler;
import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.Program;

/**
 * Prints native code under the BPF instruction it came from (the system's Capstone, Intel syntax), for {@code bpf jit-dump}
 * and for tests that compare our layout with the kernel's.
 */
public final class JitDisassembler {
    private JitDisassembler() {
    }

    /** Whether the system's Capstone library is there (Debian: libcapstone4). */
    public static boolean isAvailable() {
        return CapstoneX86.isAvailable();
    }

    /** One decoded x86 instruction: offset in the image, its bytes, and its text. */
    public record X86Instruction(int offset, byte[] bytes, String text) {
    }

    /** Decodes {@code code[from, to)}; addresses are image offsets. */
    public static List<X86Instruction> decode(byte[] code, int from, int to) {
        byte[] part = java.util.Arrays.copyOfRange(code, from, to);
        List<X86Instruction> result = new ArrayList<>();
        for (CapstoneX86.Decoded insn : CapstoneX86.disassemble(part, from)) {
            String text = insn.operands().isEmpty() ? insn.mnemonic() : insn.mnemonic() + " " + insn.operands();
            result.add(new X86Instruction((int) insn.address(), insn.bytes(), text));
        }
        return result;
    }

    /** The x86 instructions of one function, prologue included. */
    public static List<X86Instruction> function(NativeImage image, int functionId) {
        int from = image.functionStart()[functionId];
        int to = functionId + 1 < image.functionStart().length ? image.functionStart()[functionId + 1] : image.code().length;
        return decode(image.code(), from, to);
    }

    /** The whole image: stubs, then each function with its BPF instructions as headings. */
    public static String format(NativeImage image) {
        Program program = image.program();
        StringBuilder out = new StringBuilder();
        int functionsStart = image.functionStart()[0];
        out.append("runtime stubs:\n");
        appendAll(out, decode(image.code(), 0, functionsStart));
        for (JitFunction function : image.functions()) {
            out.append('\n').append(function.name()).append(": (stack ").append(function.roundedStackDepth())
                            .append(function.tailCallReachable() ? ", tail call reachable" : "").append(")\n");
            List<X86Instruction> all = function(image, function.id());
            int next = 0;
            for (Instruction insn : program.code()) {
                if (!function.contains(insn.index())) {
                    continue;
                }
                int begin = image.insnStart()[insn.index()];
                List<X86Instruction> before = new ArrayList<>();
                while (next < all.size() && all.get(next).offset() < begin) {
                    before.add(all.get(next++));
                }
                if (insn.index() == function.start()) {
                    out.append("  ; prologue\n");
                }
                appendAll(out, before);
                out.append(String.format("  %d: %s%n", insn.index(), Disassembler.format(insn)));
                List<X86Instruction> own = new ArrayList<>();
                while (next < all.size() && all.get(next).offset() < image.insnEnd()[insn.index()]) {
                    own.add(all.get(next++));
                }
                appendAll(out, own);
            }
        }
        return out.toString();
    }

    private static void appendAll(StringBuilder out, List<X86Instruction> instructions) {
        for (X86Instruction x : instructions) {
            StringBuilder hex = new StringBuilder();
            for (byte b : x.bytes()) {
                hex.append(String.format("%02x ", b & 0xff));
            }
            out.append(String.format("      %04x: %-30s %s%n", x.offset(), hex.toString().trim(), x.text()));
        }
    }
}
