/**
 * The {@code bpf} Truffle language. {@link org.trufflebpf.truffle.BpfLanguage} parses a source (assembly, raw
 * bytecode, ELF) into a {@link org.trufflebpf.truffle.BpfModule}: its programs
 * ({@link org.trufflebpf.truffle.BpfProgram}, executable: one call is one run) and maps
 * ({@link org.trufflebpf.truffle.BpfMapObject}, interop arrays or hashes). Loading goes: read, create maps,
 * set the context type, verify, rewrite context accesses, build one
 * {@link org.trufflebpf.truffle.nodes.BpfFunctionNode} per function ({@link org.trufflebpf.truffle.nodes.ProgramBuilder}).
 */
package org.trufflebpf.truffle;
