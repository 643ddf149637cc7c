package org.trufflebpf.jit.x64;

/**
 * Decides, for checked native code, about accesses outside the BPF stacks and the regions a run was started
 * with, for example memory that a helper made accessible during the run. Called from native code through an
 * upcall; it must not throw.
 */
@FunctionalInterface
public interface MemoryAccessPolicy {
    boolean allows(long address, long size, boolean write);
}
