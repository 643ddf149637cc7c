package org.trufflebpf.jit.x64;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A prog array as native code reads it: {@code u32 max_entries}, 4 bytes of padding, then one 8-byte slot
 * per entry holding the entry address of the program installed there (0 when empty). Indirect tail calls
 * read the slots; every change is passed on to {@link DirectTailCalls}, which patches the direct sites.
 */
public final class NativeProgArray implements AutoCloseable {
    static final int SLOTS_OFFSET = 8;

    private final int maxEntries;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final NativeProgram[] programs;

    public NativeProgArray(int maxEntries) {
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("max_entries must be positive");
        }
        this.maxEntries = maxEntries;
        this.programs = new NativeProgram[maxEntries];
        this.memory = arena.allocate(SLOTS_OFFSET + 8L * maxEntries, 8);
        memory.fill((byte) 0);
        memory.set(JAVA_INT, 0, maxEntries);
    }

    public long address() {
        return memory.address();
    }

    public int maxEntries() {
        return maxEntries;
    }

    public NativeProgram get(int key) {
        synchronized (TailCallPatcher.LOCK) {
            return key >= 0 && key < maxEntries ? programs[key] : null;
        }
    }

    /** Installs a program in a slot (replacing any other). */
    public void set(int key, NativeProgram program) {
        checkKey(key);
        synchronized (TailCallPatcher.LOCK) {
            programs[key] = program;
            memory.setAtIndex(JAVA_LONG, 1 + key, program.entryAddress());
            DirectTailCalls.slotChanged(address(), key);
        }
    }

    /** Empties a slot; false when it was already empty (the kernel's ENOENT). */
    public boolean delete(int key) {
        checkKey(key);
        synchronized (TailCallPatcher.LOCK) {
            if (programs[key] == null) {
                return false;
            }
            programs[key] = null;
            memory.setAtIndex(JAVA_LONG, 1 + key, 0L);
            DirectTailCalls.slotChanged(address(), key);
            return true;
        }
    }

    private void checkKey(int key) {
        if (key < 0 || key >= maxEntries) {
            throw new IndexOutOfBoundsException("key " + key + " outside prog array of " + maxEntries);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
