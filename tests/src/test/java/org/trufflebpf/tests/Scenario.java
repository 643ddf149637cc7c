package org.trufflebpf.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfObject;

/**
 * A program object with a scenario of host steps and runs, written as {@code #>} lines in an assembly file
 * (format: {@code src/test/resources/tailcall/README.md}). The steps are engine-neutral; a runner executes them.
 *
 * @param name   the file name
 * @param object the assembled object
 * @param steps  the steps in order
 */
record Scenario(String name, BpfObject object, List<Step> steps) {

    sealed interface Step permits Context, Run, Delete, Set, Poke, Expect {
        int line();
    }

    /** Every later run gets this context type over a zero packet of this many bytes. */
    record Context(int line, String type, int packetBytes) implements Step {
    }

    /** Run a program; expect r0, or ({@code budget}) the execution-budget error. */
    record Run(int line, String program, String abi, Long expected, boolean expectBudgetError) implements Step {
    }

    /** Delete a prog-array slot from the host; {@code expectMissing} when the slot must already be empty. */
    record Delete(int line, String map, int key, boolean expectMissing) implements Step {
    }

    /** Install a program in a prog-array slot from the host. */
    record Set(int line, String map, int key, String program) implements Step {
    }

    /** Write a 64-bit little-endian value at offset 0 of a map's value. */
    record Poke(int line, String map, int key, long value) implements Step {
    }

    /** The 64-bit value at offset 0 of a map's entry 0. */
    record Expect(int line, String map, long value) implements Step {
    }

    private static final Pattern CONTEXT = Pattern.compile("context (\\w+) packet=(\\d+)");
    private static final Pattern RUN = Pattern.compile("run(?: (?!abi=)(\\w+))?(?: abi=(by-value|shared))? => (budget|\\S+)");
    private static final Pattern DELETE = Pattern.compile("delete (\\w+) (\\d+)( => ENOENT)?");
    private static final Pattern SET = Pattern.compile("set (\\w+) (\\d+) (\\w+)");
    private static final Pattern POKE = Pattern.compile("poke (\\w+) (\\d+) (-?\\w+)");
    private static final Pattern EXPECT = Pattern.compile("expect (\\w+) = (-?\\w+)");

    static Scenario read(Path path) throws IOException {
        String text = Files.readString(path, StandardCharsets.UTF_8);
        String name = path.getFileName().toString();
        BpfObject object = Assembler.assemble(text, name);
        List<Step> steps = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (!line.startsWith("#>")) {
                continue;
            }
            steps.add(parseStep(line.substring(2).trim(), i + 1, name));
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException(name + ": no #> steps");
        }
        return new Scenario(name, object, steps);
    }

    static Step parseStep(String text, int line, String file) {
        Matcher m;
        if ((m = CONTEXT.matcher(text)).matches()) {
            return new Context(line, m.group(1), Integer.parseInt(m.group(2)));
        }
        if ((m = RUN.matcher(text)).matches()) {
            String program = m.group(1) == null ? "entry" : m.group(1);
            String abi = m.group(2) == null ? "by-value" : m.group(2);
            boolean budget = m.group(3).equals("budget");
            return new Run(line, program, abi, budget ? null : number(m.group(3)), budget);
        }
        if ((m = DELETE.matcher(text)).matches()) {
            return new Delete(line, m.group(1), Integer.parseInt(m.group(2)), m.group(3) != null);
        }
        if ((m = SET.matcher(text)).matches()) {
            return new Set(line, m.group(1), Integer.parseInt(m.group(2)), m.group(3));
        }
        if ((m = POKE.matcher(text)).matches()) {
            return new Poke(line, m.group(1), Integer.parseInt(m.group(2)), number(m.group(3)));
        }
        if ((m = EXPECT.matcher(text)).matches()) {
            return new Expect(line, m.group(1), number(m.group(2)));
        }
        throw new IllegalArgumentException(file + ":" + line + ": unknown scenario step '" + text + "'");
    }

    private static long number(String text) {
        return text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
    }

    static List<Path> files(String folder) throws IOException {
        Path dir = Path.of("src/test/resources", folder);
        try (var stream = Files.list(dir)) {
            return stream.filter(p -> p.toString().endsWith(".s")).sorted().toList();
        }
    }
}
