package org.trufflebpf.model;

/**
 * A program of an object that cannot run, with the reason: the loader could not link it (an unsupported map
 * type, an undefined symbol, a CO-RE relocation), its section names a type the engines do not run, or the
 * verifier refused it. Its siblings still load; running it gives {@link #reason()}.
 *
 * @param name    the program's name
 * @param section its ELF section, or null
 * @param reason  why it cannot run, with the file, function and instruction where known
 */
public record RefusedProgram(String name, String section, BpfError reason) {
}
