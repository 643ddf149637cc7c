/**
 * The text forms of a program. {@link org.trufflebpf.asm.Assembler} reads the conformance suite's assembly plus
 * our directives for maps, global data, prog-array slots and several programs per file;
 * {@link org.trufflebpf.asm.ObjectListing} writes a whole object as text the assembler reads back byte for byte
 * (each instruction as the model's {@link org.trufflebpf.model.InstructionText} prints it); {@link org.trufflebpf.asm.ConformanceFile} reads the suite's {@code .data} files.
 */
package org.trufflebpf.asm;
