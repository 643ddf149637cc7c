package org.trufflebpf.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads and writes native memory by absolute address, as BPF programs see it. Every access goes through one
 * segment that spans the whole address space, so callers must have checked the address against the run's
 * {@link MemoryRegions} first. All values are little-endian, as eBPF defines them.
 */
public final class NativeMemory {
    private NativeMemory() {
    }

    /** The whole address space; only ever touched after a bounds check. */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // Atomics need aligned access; x86-64 is little-endian, so native order is eBPF's order.
    private static final VarHandle ATOMIC32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle ATOMIC64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    public static long readU8(long address) {
        return ALL.get(U8, address) & 0xffL;
    }

    public static long readU16(long address) {
        return ALL.get(U16, address) & 0xffffL;
    }

    public static long readU32(long address) {
        return ALL.get(U32, address) & 0xffffffffL;
    }

    public static long readU64(long address) {
        return ALL.get(U64, address);
    }

    public static long readS8(long address) {
        return ALL.get(U8, address);
    }

    public static long readS16(long address) {
        return ALL.get(U16, address);
    }

    public static long readS32(long address) {
        return ALL.get(U32, address);
    }

    /** Reads an unsigned value of 1, 2, 4 or 8 bytes. */
    public static long read(long address, int size) {
        return switch (size) {
            case 1 -> readU8(address);
            case 2 -> readU16(address);
            case 4 -> readU32(address);
            default -> readU64(address);
        };
    }

    /** Writes the low 1, 2, 4 or 8 bytes of a value. */
    public static void write(long address, int size, long value) {
        switch (size) {
            case 1 -> ALL.set(U8, address, (byte) value);
            case 2 -> ALL.set(U16, address, (short) value);
            case 4 -> ALL.set(U32, address, (int) value);
            default -> ALL.set(U64, address, value);
        }
    }

    public static void writeU8(long address, long value) {
        ALL.set(U8, address, (byte) value);
    }

    public static void writeU32(long address, long value) {
        ALL.set(U32, address, (int) value);
    }

    public static void writeU64(long address, long value) {
        ALL.set(U64, address, value);
    }

    /** Big-endian reads for LD_ABS/LD_IND, which read packets in network order. */
    public static long readBigEndian(long address, int size) {
        return switch (size) {
            case 1 -> readU8(address);
            case 2 -> Short.reverseBytes((short) readU16(address)) & 0xffffL;
            case 4 -> Integer.reverseBytes((int) readU32(address)) & 0xffffffffL;
            default -> Long.reverseBytes(readU64(address));
        };
    }

    /** An unsigned little-endian number of up to 8 bytes held in a Java array. */
    public static long readLittleEndian(byte[] bytes) {
        long value = 0;
        for (int i = Math.min(bytes.length, 8) - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[i] & 0xffL);
        }
        return value;
    }

    public static byte[] copyOut(long address, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(ALL, ValueLayout.JAVA_BYTE, address, bytes, 0, length);
        return bytes;
    }

    public static void copyIn(byte[] bytes, long address) {
        MemorySegment.copy(bytes, 0, ALL, ValueLayout.JAVA_BYTE, address, bytes.length);
    }

    public static void copy(long from, long to, long length) {
        MemorySegment.copy(ALL, from, ALL, to, length);
    }

    public static void fill(long address, long length, byte value) {
        if (value != 0) {
            ALL.asSlice(address, length).fill(value);
            return;
        }
        // Zeroing, what runs do per run and per frame, copies from zeros: no slice object per call.
        for (long done = 0; done < length; done += ZEROS.byteSize()) {
            MemorySegment.copy(ZEROS, 0, ALL, address + done, Math.min(ZEROS.byteSize(), length - done));
        }
    }

    private static final MemorySegment ZEROS = Arena.global().allocate(4096, 16);

    // Atomic read-modify-write operations on aligned 4- or 8-byte words. Each returns the old value.

    public static long atomicAdd(long address, boolean wide, long value) {
        return wide ? (long) ATOMIC64.getAndAdd(ALL, address, value) : (int) ATOMIC32.getAndAdd(ALL, address, (int) value) & 0xffffffffL;
    }

    public static long atomicOr(long address, boolean wide, long value) {
        return wide ? (long) ATOMIC64.getAndBitwiseOr(ALL, address, value)
                        : (int) ATOMIC32.getAndBitwiseOr(ALL, address, (int) value) & 0xffffffffL;
    }

    public static long atomicAnd(long address, boolean wide, long value) {
        return wide ? (long) ATOMIC64.getAndBitwiseAnd(ALL, address, value)
                        : (int) ATOMIC32.getAndBitwiseAnd(ALL, address, (int) value) & 0xffffffffL;
    }

    public static long atomicXor(long address, boolean wide, long value) {
        return wide ? (long) ATOMIC64.getAndBitwiseXor(ALL, address, value)
                        : (int) ATOMIC32.getAndBitwiseXor(ALL, address, (int) value) & 0xffffffffL;
    }

    public static long atomicExchange(long address, boolean wide, long value) {
        return wide ? (long) ATOMIC64.getAndSet(ALL, address, value) : (int) ATOMIC32.getAndSet(ALL, address, (int) value) & 0xffffffffL;
    }

    /** Compares the word with {@code expected} and stores {@code value} if equal; returns the old word. */
    public static long atomicCompareExchange(long address, boolean wide, long expected, long value) {
        return wide ? (long) ATOMIC64.compareAndExchange(ALL, address, expected, value)
                        : (int) ATOMIC32.compareAndExchange(ALL, address, (int) expected, (int) value) & 0xffffffffL;
    }
}
