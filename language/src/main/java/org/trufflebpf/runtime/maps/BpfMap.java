package org.trufflebpf.runtime.maps;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.trufflebpf.model.MapDefinition;
import org.trufflebpf.runtime.MemoryRegions;
import org.trufflebpf.runtime.NativeMemory;

/**
 * A map at run time. Programs see it as the address of a small native header (what {@code lddw rX, map}
 * loads, and what the map helpers take in r1); values live in native memory at stable addresses, as with the
 * kernel's preallocated maps, so a pointer from {@code map_lookup_elem} stays valid while the entry exists.
 * Every operation is safe under concurrent programs and host updates. Programs of the context that owns the map
 * find it by that address through {@link org.trufflebpf.runtime.ContextRuntime#map}, and no one else can.
 *
 * <p>Header layout (read by native code): u32 max_entries at 0, u32 map type at 4; prog arrays put their
 * slots after it.
 */
public abstract class BpfMap {
    public static final long BPF_ANY = 0;
    public static final long BPF_NOEXIST = 1;
    public static final long BPF_EXIST = 2;
    public static final long BPF_F_LOCK = 4;

    public static final int HEADER_MAX_ENTRIES = 0;
    public static final int HEADER_TYPE = 4;

    protected final MapDefinition definition;
    /** Where the header and values live; freed with the map. */
    protected final MapMemory memory = new MapMemory();
    private final MemorySegment header;
    private static final AtomicInteger IDS = new AtomicInteger();
    /** A number no other map of this JVM has, as the kernel's map ids: what a map of maps shows the host for an inner map. */
    private final int id = IDS.incrementAndGet();
    /** The set the map was created in: whoever holds a map keeps its whole module's maps alive. */
    MapSet owner;

    protected BpfMap(MapDefinition definition, long headerBytes) {
        this.definition = definition;
        this.header = memory.allocate(Math.max(16, headerBytes), 16);
        header.fill((byte) 0);
        NativeMemory.writeU32(header.address() + HEADER_MAX_ENTRIES, definition.maxEntries());
        NativeMemory.writeU32(header.address() + HEADER_TYPE, definition.type().linuxId());
    }

    /** The maps of the module this map belongs to. */
    public MapSet owner() {
        return owner;
    }

    MapMemory memory() {
        return memory;
    }

    public int id() {
        return id;
    }

    public MapDefinition definition() {
        return definition;
    }

    public String name() {
        return definition.name();
    }

    public int keySize() {
        return definition.keySize();
    }

    public int valueSize() {
        return definition.valueSize();
    }

    public int maxEntries() {
        return definition.maxEntries();
    }

    /** The address programs hold for this map. */
    public long address() {
        return header.address();
    }

    protected static long roundUp8(long n) {
        return (n + 7) & ~7L;
    }

    /** The u32 index an array-like map's 4-byte key holds (little-endian). */
    protected static int indexOf(byte[] key) {
        return (key[0] & 0xff) | (key[1] & 0xff) << 8 | (key[2] & 0xff) << 16 | (key[3] & 0xff) << 24;
    }

    /** The 4-byte key of u32 index {@code index} (little-endian), the inverse of {@link #indexOf}. */
    public static byte[] keyOf(int index) {
        return new byte[] {(byte) index, (byte) (index >>> 8), (byte) (index >>> 16), (byte) (index >>> 24)};
    }

    /** Adds the native memory programs may touch through this map's values. */
    public abstract void addRegions(MemoryRegions regions);

    // Program-side operations (key bytes already copied out of program memory).

    /**
     * As {@link #lookup(byte[], int)} with the key read from {@code keyAddress}, program memory the caller has
     * checked; maps that can read their key in place override it, so that a lookup allocates nothing.
     */
    public long lookupKeyAt(long keyAddress, int cpu) {
        return lookup(NativeMemory.copyOut(keyAddress, keySize()), cpu);
    }

    /** The address of the value for {@code key} as the current CPU sees it, or 0. */
    public abstract long lookup(byte[] key, int cpu);

    /** Stores {@code valueSize} bytes from {@code valueAddress}; returns 0 or a negated errno. */
    public abstract long update(byte[] key, long valueAddress, long flags, int cpu);

    /** As {@link #update(byte[], long, long, int)} with the key read from checked program memory (see {@link #lookupKeyAt}). */
    public long updateKeyAt(long keyAddress, long valueAddress, long flags, int cpu) {
        return update(NativeMemory.copyOut(keyAddress, keySize()), valueAddress, flags, cpu);
    }

    public abstract long delete(byte[] key);

    /** As {@link #delete(byte[])} with the key read from checked program memory (see {@link #lookupKeyAt}). */
    public long deleteKeyAt(long keyAddress) {
        return delete(NativeMemory.copyOut(keyAddress, keySize()));
    }

    // Host-side operations.

    /** The value bytes (for per-CPU maps, every CPU's value, each padded to 8 bytes), or null. */
    public abstract byte[] get(byte[] key);

    /** Stores a value (for per-CPU maps, every CPU's value); returns 0 or a negated errno. */
    public abstract long put(byte[] key, byte[] value, long flags);

    /** The keys present, in iteration order. */
    public abstract List<byte[]> keys();

    /** Size of a value as the host reads or writes it. */
    public int hostValueSize() {
        return valueSize();
    }

    protected static long checkFlags(long flags) {
        long plain = flags & ~BPF_F_LOCK;
        return plain > BPF_EXIST ? -Errno.EINVAL : 0;
    }

    public void close() {
        memory.close();
    }

    @Override
    public String toString() {
        return definition.type().name().toLowerCase(Locale.ROOT) + " map '" + name() + "'";
    }
}
