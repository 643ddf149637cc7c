package org.trufflebpf.elf;

/**
 * A named variable of a global data section ({@code int count;} in {@code .bss}): the global-data map that
 * holds it and its place in that map's single value. Tests and tools use it to read or set a program's
 * globals by name.
 *
 * @param name     the symbol name
 * @param mapIndex index of the global-data map in the object's maps
 * @param mapName  that map's name (the section name, such as {@code .bss})
 * @param offset   byte offset in the map's value
 * @param size     size in bytes
 */
public record GlobalVariable(String name, int mapIndex, String mapName, int offset, int size) {
}
