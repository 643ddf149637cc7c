package org.trufflebpf.jit.x64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Code memory is never writable and executable in the same mapping, and runs what was written. */
class CodeMemoryTest {

    /** The permissions (e.g. "r-xs") of the mapping that starts at {@code address}, from /proc/self/maps. */
    private static String permissions(long address) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/maps"));
        for (String line : lines) {
            String[] fields = line.split("\\s+");
            long start = Long.parseUnsignedLong(fields[0].substring(0, fields[0].indexOf('-')), 16);
            if (start == address) {
                return fields[1];
            }
        }
        return "unmapped";
    }

    @Test
    void writtenCodeRunsThroughTheExecutableViewAndNoViewIsBothWritableAndExecutable() throws Throwable {
        try (CodeMemory memory = CodeMemory.allocate(16)) {
            X86Assembler asm = new X86Assembler();
            asm.movRegReg(true, Registers.RAX, Registers.RDI);
            asm.aluRegReg(X86Assembler.Alu.ADD, true, Registers.RAX, Registers.RSI);
            asm.ret();
            memory.write(0, asm.toByteArray());
            assertEquals("r-xs", permissions(memory.address()));
            MethodHandle add = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(memory.address()),
                            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
            assertEquals(42L, (long) add.invokeExact(40L, 2L));

            // An aligned 8-byte patch is seen by the next call: add → sub (29 instead of 01).
            long word = memory.readLong(0);
            memory.writeLongAtomic(0, (word & ~(0xffL << 32)) | (0x29L << 32));
            assertEquals(38L, (long) add.invokeExact(40L, 2L));

            memory.sealWrites();
            assertThrows(IllegalStateException.class, () -> memory.write(0, new byte[] {(byte) 0xc3}));
            assertEquals("r-xs", permissions(memory.address()));
        }
    }

    @Test
    void everyMappingOfTheProcessThatWeCreatedIsEitherWritableOrExecutable() throws IOException {
        try (CodeMemory memory = CodeMemory.allocate(4096)) {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.contains("trufflebpf-jit")) {
                    String permissions = line.split("\\s+")[1];
                    assertTrue(!(permissions.charAt(1) == 'w' && permissions.charAt(2) == 'x'), line);
                }
            }
            assertEquals("r-xs", permissions(memory.address()));
        }
    }
}
