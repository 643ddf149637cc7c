/**
 * The program model both engines read and never change: instructions with their original indexes, the decoding
 * and encoding rules and their text ({@link org.trufflebpf.model.Instruction}, {@link org.trufflebpf.model.Opcodes},
 * {@link org.trufflebpf.model.InstructionRules}, {@link org.trufflebpf.model.InstructionText}), programs and
 * objects with their maps, and the verifier's facts ({@link org.trufflebpf.model.ProgramAnalysis}: functions,
 * stack depths, tail-call sites). Errors with their place are {@link org.trufflebpf.model.BpfError}s. The model
 * depends on no other package of the project.
 */
package org.trufflebpf.model;
