package org.trufflebpf.runtime;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The memory tracing programs probe with bpf_probe_read*: regions of bytes at addresses the host chooses, never
 * the JVM's own memory (a probe of any other address faults, as an unmapped one does in the kernel). As on
 * x86-64, an address below {@link #TASK_SIZE_MAX} is user memory and one from {@link #KERNEL_START} on is kernel
 * memory. The text form (context option bpf.ProbeMemory, bpf run --probe-memory FILE): one region a line,
 * {@code ADDRESS HEXBYTES} (the address in hex with 0x, or decimal); {@code #} starts a comment.
 */
public final class ProbeMemory {
    public static final ProbeMemory EMPTY = new ProbeMemory(List.of());
    /** x86-64's TASK_SIZE_MAX with 4-level page tables: user addresses are below it. */
    static final long TASK_SIZE_MAX = 0x7fff_ffff_f000L;
    /** The lowest canonical kernel address (copy_from_kernel_nofault refuses anything lower with -ERANGE). */
    static final long KERNEL_START = 0xffff_8000_0000_0000L;

    record Region(long address, byte[] bytes) {
        boolean holds(long at) {
            return Long.compareUnsigned(at, address) >= 0 && Long.compareUnsigned(at - address, bytes.length) < 0;
        }
    }

    private final List<Region> regions;

    private ProbeMemory(List<Region> regions) {
        this.regions = regions;
    }

    /** The byte at {@code address}, or -1 where no region is. */
    int read(long address) {
        for (Region region : regions) {
            if (region.holds(address)) {
                return region.bytes()[(int) (address - region.address())] & 0xff;
            }
        }
        return -1;
    }

    static boolean isUser(long address, long size) {
        return Long.compareUnsigned(address, TASK_SIZE_MAX) < 0 && Long.compareUnsigned(size, TASK_SIZE_MAX - address) <= 0;
    }

    static boolean isKernel(long address) {
        return Long.compareUnsigned(address, KERNEL_START) >= 0;
    }

    public static ProbeMemory parse(String text) {
        List<Region> regions = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            try {
                if (words.length != 2) {
                    throw new IllegalArgumentException("expected ADDRESS HEXBYTES");
                }
                long address = words[0].startsWith("0x") ? Long.parseUnsignedLong(words[0].substring(2), 16) : Long.parseUnsignedLong(words[0]);
                byte[] bytes = HexFormat.of().parseHex(words[1]);
                if (bytes.length == 0 || Long.compareUnsigned(address + bytes.length - 1, address) < 0) {
                    throw new IllegalArgumentException("a region needs bytes, within the address space");
                }
                Region region = new Region(address, bytes);
                for (Region other : regions) {
                    if (other.holds(address) || region.holds(other.address())) {
                        throw new IllegalArgumentException("overlaps the region at 0x" + Long.toHexString(other.address()));
                    }
                }
                regions.add(region);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("probe memory line " + (n + 1) + ": '" + words[0] + "' is not an address");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("probe memory line " + (n + 1) + ": " + e.getMessage());
            }
        }
        return new ProbeMemory(List.copyOf(regions));
    }
}
