package org.trufflebpf.jit.x64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.trufflebpf.model.Instruction;
import org.trufflebpf.model.InstructionText;
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
        byte[] part = Arrays.copyOfRange(code, from, to);
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

    /** The whole image as laid out, before any patching: stubs, then each function under its BPF instructions. */
    public static String format(NativeImage image) {
        return format(image, image.code(), true);
    }

    /**
     * The whole image as {@code code} holds it now (the live bytes of a loaded program, so poke sites show their
     * current state): runtime stubs, then each function with its prologue, each BPF instruction's native code
     * under it, the epilogue, and each direct tail call's bypass and target sites with their state (spec §5);
     * the runtime stubs the functions call first when {@code withStubs}.
     */
    public static String format(NativeImage image, byte[] code, boolean withStubs) {
        Program program = image.program();
        StringBuilder out = new StringBuilder();
        if (withStubs) {
            out.append("runtime stubs (entry trampoline, error exits, checked-access and budget paths):\n");
            appendAll(out, decode(code, 0, image.functionStart()[0]), image, code);
            out.append('\n');
        }
        for (JitFunction function : image.functions()) {
            out.append(function.id() == 0 ? "" : "\n").append(function.name()).append(": (stack ").append(function.roundedStackDepth())
                            .append(function.tailCallReachable() ? ", tail call reachable" : "").append(")\n");
            int from = image.functionStart()[function.id()];
            int to = function.id() + 1 < image.functionStart().length ? image.functionStart()[function.id() + 1] : code.length;
            List<X86Instruction> all = decode(code, from, to);
            int epilogue = epilogueStart(all);
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
                appendAll(out, before, image, code);
                out.append(String.format("  %d: %s%n", insn.index(), InstructionText.format(insn, program::mapName)));
                List<X86Instruction> own = new ArrayList<>();
                while (next < all.size() && all.get(next).offset() < image.insnEnd()[insn.index()]) {
                    X86Instruction x = all.get(next++);
                    if (x.offset() == epilogue) {
                        appendAll(out, own, image, code);
                        own.clear();
                        out.append("  ; epilogue\n");
                    }
                    own.add(x);
                }
                appendAll(out, own, image, code);
            }
            if (next < all.size()) {
                // After the function's own code: the slow paths its checks branch to (SlowPaths).
                out.append("  ; slow paths\n");
                appendAll(out, all.subList(next, all.size()), image, code);
            }
        }
        return out.toString();
    }

    /** Where a function's epilogue starts: the pops (callee-saved, then the counter) before its first leave. */
    private static int epilogueStart(List<X86Instruction> function) {
        for (int i = 0; i < function.size(); i++) {
            if (function.get(i).text().equals("leave")) {
                int start = i;
                while (start > 0 && function.get(start - 1).text().startsWith("pop ")) {
                    start--;
                }
                return function.get(start).offset();
            }
        }
        return -1;
    }

    /** State of a direct tail-call site from its live bytes (spec §5): B live, C empty, D transitional, A forbidden. */
    static String pokeState(PokeDescriptor poke, byte[] code) {
        boolean bypassJumps = (code[poke.bypassOffset()] & 0xff) == 0xe9;
        boolean targetJumps = (code[poke.targetOffset()] & 0xff) == 0xe9;
        if (bypassJumps) {
            return targetJumps ? "D (transitional)" : "C (empty)";
        }
        return targetJumps ? "B (live)" : "A (forbidden!)";
    }

    private static void appendAll(StringBuilder out, List<X86Instruction> instructions, NativeImage image, byte[] code) {
        for (X86Instruction x : instructions) {
            for (PokeDescriptor poke : image.pokes()) {
                String site = x.offset() == poke.bypassOffset() ? "tailcall_bypass" : x.offset() == poke.targetOffset() ? "tailcall_target" : null;
                if (site != null) {
                    out.append(String.format("      ; %s of %s[%d], state %s%n", site, image.program().mapName(poke.mapIndex()), poke.key(),
                                    pokeState(poke, code)));
                }
            }
            StringBuilder hex = new StringBuilder();
            for (byte b : x.bytes()) {
                hex.append(String.format("%02x ", b & 0xff));
            }
            out.append(String.format("      %04x: %-30s %s%n", x.offset(), hex.toString().trim(), x.text()));
        }
    }
}
