/**
 * The bytecode interpreter: {@link org.trufflebpf.truffle.nodes.ProgramBuilder} turns each function into a
 * {@link org.trufflebpf.truffle.nodes.BpfFunctionNode}, a loop over pre-decoded
 * {@link org.trufflebpf.truffle.nodes.Op}s that partial evaluation unrolls ({@code MERGE_EXPLODE}), with
 * registers in static frame slots, OSR at back-edges, and nodes for helper calls and tail-call dispatch.
 */
package org.trufflebpf.truffle.nodes;
