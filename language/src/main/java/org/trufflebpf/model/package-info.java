/**
 * The program model both engines read and never change: instructions with their original indexes and text, and the
 * decoding and encoding rules ({@link org.trufflebpf.model.Instruction}, {@link org.trufflebpf.model.Opcodes},
 * {@link org.trufflebpf.model.InstructionRules}), programs and objects with their maps, and the verifier's
 * facts ({@link org.trufflebpf.model.ProgramAnalysis}: functions, stack depths, tail-call sites), and the
 * helper catalogue ({@link org.trufflebpf.model.Helper}: ids, names, argument and result kinds). Errors with
 * their place are {@link org.trufflebpf.model.BpfError}s.
 */
package org.trufflebpf.model;
