package org.trufflebpf.model;

/**
 * What the verifier knows about one {@code call bpf_tail_call}: the prog array (when r2 is the same map on
 * every path) and the key (when r3 is the same constant on every path). A site whose key is constant and
 * below the map's max_entries may use the direct, patched form; every other site is indirect.
 *
 * @param index       slot index of the call
 * @param mapIndex    the prog array's index in the program's maps, or -1 when not the same on every path
 * @param constantKey the key as a u32, or -1 when not the same constant on every path
 * @param direct      the key is constant and in range for the map: the direct form applies
 */
public record TailCallSite(int index, int mapIndex, long constantKey, boolean direct) {
}
