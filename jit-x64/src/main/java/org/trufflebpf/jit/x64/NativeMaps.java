package org.trufflebpf.jit.x64;

/**
 * What {@code lddw} map references become in native code. The runtime that owns the maps implements this;
 * pointers are real native addresses, the same ones the interpreter uses.
 */
public interface NativeMaps {
    /** The value {@code lddw map:INDEX} loads: for a prog array, the address of its native layout. */
    long mapPointer(int mapIndex);

    /** The value {@code lddw map_value:INDEX+OFFSET} loads: the address of the map's (first) value plus offset. */
    long valuePointer(int mapIndex, int offset);

    /**
     * Whether the map is a prog array in the native layout ({@link NativeProgArray}: u32 max_entries, then
     * 8-byte entry addresses from offset 8) whose owner calls {@link DirectTailCalls#slotChanged} after each
     * slot change.
     */
    boolean isProgArray(int mapIndex);

    /**
     * The runtime's maps of the program's module, or null. A run that enters the program from another module
     * (a tail call through a prog array slot the host filled with this program) adds these maps to the memory
     * it may touch, as the interpreter does at the tail call.
     */
    default org.trufflebpf.runtime.maps.MapSet mapSet() {
        return null;
    }

    /** No maps: programs with map references do not compile. */
    NativeMaps NONE = new NativeMaps() {
        @Override
        public long mapPointer(int mapIndex) {
            throw new IllegalArgumentException("no map " + mapIndex);
        }

        @Override
        public long valuePointer(int mapIndex, int offset) {
            throw new IllegalArgumentException("no map " + mapIndex);
        }

        @Override
        public boolean isProgArray(int mapIndex) {
            return false;
        }
    };
}
