/**
 * BPF maps over native memory: each map has a native header whose address is what a program holds, and values
 * at stable native addresses, so the interpreter, native code and helpers touch the same bytes. Array, hash,
 * per-CPU variants, prog arrays (which tell listeners, such as the native engine's patcher, when a slot
 * changes) and ring buffers.
 */
package org.trufflebpf.runtime.maps;
