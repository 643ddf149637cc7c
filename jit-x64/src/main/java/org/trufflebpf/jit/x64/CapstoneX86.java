package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The system's Capstone 4 x86-64 disassembler (Debian package libcapstone4) through FFM. The Maven artifact
 * com.github.zhkl0228:capstone:3.1.8 was tried first: its bundled linux-x86-64 library is built for ARM only
 * and refuses CS_ARCH_X86 ("Wrong arch or mode").
 */
final class CapstoneX86 {
    private static final int CS_ARCH_X86 = 3;
    private static final int CS_MODE_64 = 8;
    // cs_insn of Capstone 4: id u32 @0, address u64 @8, size u16 @16, bytes[16] @18, mnemonic[32] @34,
    // op_str[160] @66, detail pointer @232; 240 bytes.
    private static final long INSN_SIZE = 240;

    private static final Optional<Binding> BINDING = load();

    private record Binding(MethodHandle open, MethodHandle disasm, MethodHandle free, MethodHandle close) {
    }

    private CapstoneX86() {
    }

    private static Optional<Binding> load() {
        Linker linker = Linker.nativeLinker();
        for (String name : new String[] {"libcapstone.so.4", "libcapstone.so.5", "libcapstone.so"}) {
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup(name, Arena.global());
                return Optional.of(new Binding(
                                linker.downcallHandle(lib.find("cs_open").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS)),
                                linker.downcallHandle(lib.find("cs_disasm").orElseThrow(),
                                                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS)),
                                linker.downcallHandle(lib.find("cs_free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG)),
                                linker.downcallHandle(lib.find("cs_close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS))));
            } catch (IllegalArgumentException | NoSuchElementException e) {
                // try the next name
            }
        }
        return Optional.empty();
    }

    static boolean isAvailable() {
        return BINDING.isPresent();
    }

    /** Decoded instruction: address, bytes, mnemonic and operands (Intel syntax). */
    record Decoded(long address, byte[] bytes, String mnemonic, String operands) {
    }

    static List<Decoded> disassemble(byte[] code, long address) {
        Binding b = BINDING.orElseThrow(() -> new IllegalStateException("Capstone (libcapstone4) is not installed"));
        List<Decoded> result = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(JAVA_LONG);
            int err = (int) b.open().invokeExact(CS_ARCH_X86, CS_MODE_64, handle);
            if (err != 0) {
                throw new IllegalStateException("cs_open failed: " + err);
            }
            MemorySegment codeSegment = arena.allocate(Math.max(1, code.length));
            MemorySegment.copy(code, 0, codeSegment, JAVA_BYTE, 0, code.length);
            MemorySegment insnsOut = arena.allocate(ADDRESS);
            long count = (long) b.disasm().invokeExact(handle.get(JAVA_LONG, 0), codeSegment, (long) code.length, address, 0L, insnsOut);
            MemorySegment insns = insnsOut.get(ADDRESS, 0).reinterpret(INSN_SIZE * count);
            for (long i = 0; i < count; i++) {
                MemorySegment insn = insns.asSlice(i * INSN_SIZE, INSN_SIZE);
                int size = insn.get(JAVA_SHORT, 16) & 0xffff;
                byte[] bytes = insn.asSlice(18, size).toArray(JAVA_BYTE);
                result.add(new Decoded(insn.get(JAVA_LONG, 8), bytes, insn.getString(34), insn.getString(66)));
            }
            if (count > 0) {
                b.free().invokeExact(insnsOut.get(ADDRESS, 0), count);
            }
            int closed = (int) b.close().invokeExact(handle);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return result;
    }
}
