/**
 * ELF objects from {@code clang -target bpf}, read as libbpf reads them: sections and symbols
 * ({@link org.trufflebpf.elf.ElfFile}), BTF types ({@link org.trufflebpf.elf.BtfTypes}), BTF-defined and legacy
 * maps and global data ({@link org.trufflebpf.elf.ElfMaps}), and the linking of programs with their
 * {@code .text} subprograms and relocations ({@link org.trufflebpf.elf.ProgramLinker}).
 */
package org.trufflebpf.elf;
