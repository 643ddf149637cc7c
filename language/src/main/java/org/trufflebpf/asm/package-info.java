/**
 * The text forms of a program. {@link org.trufflebpf.asm.Assembler} reads the conformance suite's assembly plus
 * our directives for maps, global data, prog-array slots and several programs per file;
 * {@link org.trufflebpf.asm.Disassembler} and {@link org.trufflebpf.asm.ObjectListing} write text the assembler
 * reads back byte for byte; {@link org.trufflebpf.asm.ConformanceFile} reads the suite's {@code .data} files.
 */
package org.trufflebpf.asm;
