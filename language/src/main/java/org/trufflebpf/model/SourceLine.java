package org.trufflebpf.model;

/**
 * Where an instruction comes from in its source: the C line clang recorded in {@code .BTF.ext} line info, or the
 * line of an assembly file.
 *
 * @param file   the source file as recorded ({@code ././xdp_parser.c} for clang, the assembly file's name)
 * @param line   1-based line
 * @param column 1-based column, 0 when unknown
 * @param text   the line's text as recorded, "" when unknown
 */
public record SourceLine(String file, int line, int column, String text) {

    /** The file's last path element: {@code xdp_parser.c} for {@code ././xdp_parser.c}. */
    public String fileName() {
        int slash = file.lastIndexOf('/');
        return slash < 0 ? file : file.substring(slash + 1);
    }

    /** {@code xdp_parser.c:42}, as errors name it. */
    public String location() {
        return fileName() + ":" + line;
    }
}
