package org.trufflebpf.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The table of memory a run may touch: its stack frames ({@link StackFrames}), context, packet, map values and global data. A program's
 * load or store is allowed only when it falls wholly inside one region that permits it; otherwise the run
 * stops with a RUNTIME error before the access happens, so a bad pointer can never reach the JVM's memory.
 * Confined to its run's thread, like the {@link RunState} that owns it (helpers, the native slow check and the
 * interpreter all consult it on that thread), so it takes no lock: a run changes it several times.
 */
public final class MemoryRegions {
    /**
     * The regions in the order they were added: the first {@link #count} are the table's. Entries past it are
     * what a previous run added after the same prefix, kept so that a run adding the same regions again (same
     * maps, same context and input addresses: the thread's run memory is reused) finds its tables ready and
     * allocates nothing.
     */
    private MemoryRegion[] path = new MemoryRegion[8];
    /** {@code tables[k]}, when not null, is the table of {@code path[0..k)}. */
    private Table[] tables = new Table[9];
    private int count;
    /**
     * The same regions as flat arrays, newest first, for the check on every access. Rebuilt at each change, not
     * lazily: the interpreter's compiled code inlines the check, and must see no lock or rebuild in it.
     */
    private Table table = new Table(path, 0);
    /** Changes whenever a region is added or removed, so that copies of the table (native code's) can follow. */
    private long version;
    /** The run's active stack frames, allowed besides the regions. */
    private final StackFrames stack;

    public MemoryRegions(StackFrames stack) {
        this.stack = stack;
        tables[0] = table;
    }

    /** The regions at one moment (a region added or removed later makes a new table); native code copies it. */
    public static final class Table {
        final long[] bases;
        final long[] sizes;
        final boolean[] writable;
        /** The run's input memory or packet: what native code checks inline before anything else. */
        final boolean[] input;

        /** The table of the first {@code n} of {@code regions}. */
        Table(MemoryRegion[] regions, int n) {
            bases = new long[n];
            sizes = new long[n];
            writable = new boolean[n];
            input = new boolean[n];
            for (int i = 0; i < n; i++) {
                // Newest first: the context and packet come last and are what non-stack accesses mostly hit.
                MemoryRegion region = regions[n - 1 - i];
                bases[i] = region.base();
                sizes[i] = region.size();
                writable[i] = region.writable();
                input[i] = region.name().equals(INPUT_MEMORY) || region.name().equals(PACKET);
            }
        }

        public int count() {
            return bases.length;
        }

        public long base(int i) {
            return bases[i];
        }

        public long size(int i) {
            return sizes[i];
        }

        public boolean writable(int i) {
            return writable[i];
        }

        public boolean isInput(int i) {
            return input[i];
        }
    }

    /** Names of the regions of a run's input: raw memory and the packet. */
    public static final String INPUT_MEMORY = "memory";
    public static final String PACKET = "packet";

    /** The regions as they are now. */
    public Table table() {
        return table;
    }

    /** How many regions there are now: a mark to {@link #truncate} back to. */
    public int count() {
        return count;
    }

    /** Drops every region added after the first {@code n} (a reused run state going back to its maps' regions). */
    public void truncate(int n) {
        if (n > count) {
            throw new IllegalArgumentException("cannot truncate " + count + " regions to " + n);
        }
        count = n;
        if (tables[n] == null) {
            tables[n] = new Table(path, n);
        }
        table = tables[n];
        version++;
    }

    public void add(MemoryRegion region) {
        add(region.name(), region.base(), region.size(), region.writable(), region);
    }

    public void add(String name, long base, long size, boolean writable) {
        add(name, base, size, writable, null);
    }

    /** Adds a region; {@code made}, when not null, is it as a record already. */
    private void add(String name, long base, long size, boolean writable, MemoryRegion made) {
        MemoryRegion next = count < path.length ? path[count] : null;
        boolean same = next != null && next.base() == base && next.size() == size && next.writable() == writable && next.name().equals(name);
        if (!same) {
            if (count == path.length) {
                path = Arrays.copyOf(path, count * 2);
                tables = Arrays.copyOf(tables, count * 2 + 1);
            }
            path[count] = made != null ? made : new MemoryRegion(name, base, size, writable);
            // What was cached past this point described another sequence.
            Arrays.fill(path, count + 1, path.length, null);
            Arrays.fill(tables, count + 1, tables.length, null);
        }
        count++;
        if (tables[count] == null) {
            tables[count] = new Table(path, count);
        }
        table = tables[count];
        version++;
    }

    public void remove(long base) {
        boolean any = false;
        for (int i = 0; i < count && !any; i++) {
            any = path[i].base() == base;
        }
        if (!any) {
            // Nothing to remove (an XDP run's first packet placement): no change, no allocation.
            return;
        }
        List<MemoryRegion> kept = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (path[i].base() != base) {
                kept.add(path[i]);
            }
        }
        MemoryRegion[] now = kept.toArray(new MemoryRegion[0]);
        Arrays.fill(path, null);
        Arrays.fill(tables, null);
        System.arraycopy(now, 0, path, 0, now.length);
        count = now.length;
        tables[count] = new Table(path, count);
        table = tables[count];
        version++;
    }

    public long version() {
        return version;
    }

    public List<MemoryRegion> all() {
        return List.of(Arrays.copyOf(path, count));
    }

    /** Whether {@code size} bytes at {@code address} may be read (or written, when {@code write}). */
    public boolean allows(long address, long size, boolean write) {
        Table t = table;
        long[] bases = t.bases;
        long[] sizes = t.sizes;
        for (int i = 0; i < bases.length; i++) {
            if (MemoryRegion.contains(bases[i], sizes[i], address, size) && (!write || t.writable[i])) {
                return true;
            }
        }
        return stack.allows(address, size);
    }

    /**
     * Why an access is refused, in words that read the same on every run: the place is named by its region and
     * offset ({@code packet+328}), not by an address that changes with each allocation. Only an access far from
     * every region keeps its address, having nothing else to be named by.
     */
    public String describeViolation(long address, long size, boolean write) {
        String access = (write ? "write" : "read") + " of " + size + " bytes";
        List<MemoryRegion> regions = all();
        for (MemoryRegion region : regions) {
            if (region.contains(address, size)) {
                MemoryRegion whole = whole(region.name());
                return access + " at " + place(whole, address) + ": " + region.name() + " is read-only";
            }
        }
        String nearStack = stack.describe(address, size, write);
        if (nearStack != null) {
            return nearStack;
        }
        // The nearest region within 512 bytes: the allocator may place another region just past a guard area,
        // and the one the access overran is the one to name.
        MemoryRegion nearest = null;
        long nearestDistance = Long.MAX_VALUE;
        for (MemoryRegion region : regions) {
            MemoryRegion whole = whole(region.name());
            long offset = address - whole.base();
            if (offset >= -512 && offset <= whole.size() + 512) {
                long distance = offset < 0 ? -offset : Math.max(0, offset + size - whole.size());
                if (distance < nearestDistance) {
                    nearest = whole;
                    nearestDistance = distance;
                }
            }
        }
        if (nearest != null) {
            return access + " at " + place(nearest, address) + " is out of bounds: " + nearest.name() + " is " + nearest.size() + " bytes";
        }
        return String.format("%s at 0x%x: not memory the program may access", access, address);
    }

    /**
     * All regions of one name as one: the context of a tc program is a read-only whole with writable fields
     * inside it, and offsets are counted from the start of the whole.
     */
    private MemoryRegion whole(String name) {
        List<MemoryRegion> regions = all();
        long low = Long.MAX_VALUE;
        long high = Long.MIN_VALUE;
        boolean writable = false;
        for (MemoryRegion region : regions) {
            if (region.name().equals(name)) {
                low = Math.min(low, region.base());
                high = Math.max(high, region.base() + region.size());
                writable |= region.writable();
            }
        }
        return new MemoryRegion(name, low, high - low, writable);
    }

    private static String place(MemoryRegion region, long address) {
        long offset = address - region.base();
        return region.name() + (offset < 0 ? "-" + -offset : "+" + offset);
    }

    /** Checks an access made by a helper on the program's behalf; the caller adds the call's place. */
    public void checkForHelper(long address, long size, boolean write, String what) {
        if (size == 0) {
            return;
        }
        if (!allows(address, size, write)) {
            throw new RuntimeFault(what + ": " + describeViolation(address, size, write));
        }
    }
}
