package org.trufflebpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.trufflebpf.asm.Assembler;
import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;

/**
 * Which values may be dereferenced: pointers keep their kind through 64-bit mov, adding or subtracting a
 * number, and spilling to an aligned stack slot; any other operation makes them a number, and a load or store
 * through a number is rejected as the kernel does ({@code R1 invalid mem access 'scalar'}). Here: every laundering
 * operation on every kind of pointer, and what keeps a pointer a pointer; the single rejected programs are data
 * files in {@code src/test/resources/verifier_rejects/pointers_and_numbers}, run by {@link VerifierRejectsTest}.
 */
class VerifierPointerRulesTest {

    /** A program and what the verifier must say: null for "verifies", else the full error message. */
    record Case(String behaviour, String text, String message) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    /** How to get a pointer of one kind into r1: directives, instructions, and how many slots they take. */
    record PointerSource(String kind, String header, String setup, int slots) {
        String program(String... lines) {
            return header + "\n" + setup + "\n" + String.join("\n", lines);
        }
    }

    static final List<PointerSource> SOURCES = List.of(
        new PointerSource("stack pointer", "", "stdw [%r10-8], 0\nmov %r1, %r10\nadd %r1, -8", 3),
        new PointerSource("context pointer", "", "", 0),
        new PointerSource("packet pointer", ".program prog xdp",
            "ldxw %r2, [%r1+4]\nldxw %r1, [%r1+0]\nmov %r3, %r1\nadd %r3, 8\nmov %r0, 0\njle %r3, %r2, +1\nexit", 7),
        new PointerSource("map value", ".map values array key=4 value=8 entries=1",
            "stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, map:values\ncall map_lookup_elem\njne %r0, 0, +2\nmov %r0, 0\nexit\nmov %r1, %r0", 10));

    /** One-slot operations that may change a pointer in ways the verifier cannot bound, even when they happen not to. */
    static final List<String> LAUNDERING = List.of("or %r1, 0", "and %r1, -1", "xor %r1, 0", "lsh %r1, 0", "rsh %r1, 0", "arsh %r1, 0", "mul %r1, 1",
        "div %r1, 1", "mod %r1, -1", "neg %r1", "mov32 %r1, %r1", "add32 %r1, 0", "bswap64 %r1");

    static String rejection(String function, int insn, String text, String reason) {
        return "prog.s: function '" + function + "': insn " + insn + " '" + text + "': " + reason;
    }

    static String scalarAccess(int insn, String text, int register) {
        return rejection("prog", insn, text, "R" + register + " invalid mem access 'scalar'");
    }

    /**
     * The kernel's reason for refusing a laundering operation on a pointer of a kernel program type, or null where
     * it lets a privileged loader make a number of the pointer ({@code neg}, {@code mov32}, byte swaps).
     */
    static String kernelRefusal(String operation) {
        String mnemonic = operation.substring(0, operation.indexOf(' '));
        return switch (mnemonic) {
            case "or" -> "bitwise operator |= on pointer prohibited";
            case "and" -> "bitwise operator &= on pointer prohibited";
            case "xor" -> "bitwise operator ^= on pointer prohibited";
            case "lsh" -> "pointer arithmetic with <<= operator prohibited";
            case "rsh" -> "pointer arithmetic with >>= operator prohibited";
            case "arsh" -> "pointer arithmetic with s>>= operator prohibited";
            case "mul" -> "pointer arithmetic with *= operator prohibited";
            case "div" -> "pointer arithmetic with /= operator prohibited";
            case "mod" -> "pointer arithmetic with %= operator prohibited";
            case "add32" -> "32-bit pointer arithmetic prohibited";
            default -> null;
        };
    }

    static Stream<Case> laundered() {
        List<Case> cases = new ArrayList<>();
        for (PointerSource source : SOURCES) {
            boolean kernelType = source.header().startsWith(".program");
            for (String operation : LAUNDERING) {
                String refusal = kernelType ? kernelRefusal(operation) : null;
                if (refusal != null) {
                    cases.add(new Case("'" + operation + "' on a " + source.kind() + " is refused at the instruction, as the kernel refuses it",
                        source.program(operation, "ldxb %r0, [%r1]", "exit"), rejection("prog", source.slots(), operation, "R1 " + refusal)));
                    continue;
                }
                cases.add(new Case("'" + operation + "' on a " + source.kind() + " gives a number that cannot be loaded through",
                    source.program(operation, "ldxb %r0, [%r1]", "exit"),
                    scalarAccess(source.slots() + 1, "ldxb %r0, [%r1]", 1)));
            }
            cases.add(new Case("a " + source.kind() + " laundered by 'or' cannot be stored through",
                source.program("or %r1, 0", "stdw [%r1-8], 1000", "mov %r0, 0", "exit"),
                kernelType ? rejection("prog", source.slots(), "or %r1, 0", "R1 " + kernelRefusal("or %r1, 0"))
                                : scalarAccess(source.slots() + 1, "stdw [%r1-8], 1000", 1)));
            cases.add(new Case("a " + source.kind() + " laundered by 'mov32' cannot take an atomic add",
                source.program("mov32 %r1, %r1", "mov %r2, 1", "lock add [%r1], %r2", "mov %r0, 0", "exit"),
                scalarAccess(source.slots() + 2, "lock add [%r1], %r2", 1)));
            cases.add(new Case("a spilled " + source.kind() + " partly overwritten is a number when filled",
                source.program("stxdw [%r10-16], %r1", "stb [%r10-16], 0", "ldxdw %r3, [%r10-16]", "ldxb %r0, [%r3]", "exit"),
                scalarAccess(source.slots() + 3, "ldxb %r0, [%r3]", 3)));
            cases.add(new Case("a spilled " + source.kind() + " filled back with a 4-byte load is a number",
                source.program("stxdw [%r10-16], %r1", "ldxw %r3, [%r10-16]", "ldxb %r0, [%r3]", "exit"),
                scalarAccess(source.slots() + 2, "ldxb %r0, [%r3]", 3)));
            cases.add(new Case("a " + source.kind() + " minus itself is a number",
                source.program("mov %r3, %r1", "sub %r3, %r1", "ldxb %r0, [%r3]", "exit"),
                scalarAccess(source.slots() + 2, "ldxb %r0, [%r3]", 3)));
        }
        return cases.stream();
    }

    static Stream<Case> accepted() {
        List<Case> cases = new ArrayList<>();
        for (PointerSource source : SOURCES) {
            cases.add(new Case("a " + source.kind() + " spilled and filled back is still a pointer",
                source.program("stxdw [%r10-16], %r1", "ldxdw %r3, [%r10-16]", "ldxb %r0, [%r3]", "exit"), null));
            // A packet pointer plus a variable number needs a new bounds check (VerifierMemoryBoundsTest).
            if (!source.kind().equals("packet pointer")) {
                cases.add(new Case("a " + source.kind() + " plus a constant, minus a constant, plus a bounded number is still a pointer",
                    source.program("add %r1, 4", "sub %r1, 4", "ldxb %r3, [%r1]", "and %r3, 3", "add %r1, %r3", "ldxb %r0, [%r1]", "exit"), null));
            }
            cases.add(new Case("a " + source.kind() + " copied with mov is still a pointer",
                source.program("mov %r5, %r1", "ldxb %r0, [%r5]", "exit"), null));
            cases.add(new Case("a number plus a " + source.kind() + " is a pointer",
                source.program("mov %r3, 0", "add %r3, %r1", "ldxb %r0, [%r3]", "exit"), null));
        }
        cases.add(new Case("a raw program's input plus its unbounded length is still a pointer (the engines bound it at run time)", """
            add %r1, %r2
            sub %r1, %r2
            ldxb %r0, [%r1]
            exit""", null));
        cases.add(new Case("a subprogram receives a stack pointer and a context pointer", """
            stdw [%r10-8], 7
            mov %r2, %r10
            add %r2, -8
            call local sum
            exit
            sum:
            ldxdw %r0, [%r2]
            ldxb %r3, [%r1]
            add %r0, %r3
            stdw [%r2], 0
            exit""", null));
        cases.add(new Case("a subprogram receives a packet pointer from one call and a map value from another", """
            .program prog xdp
            .map values array key=4 value=8 entries=1
            mov %r6, %r1
            ldxw %r1, [%r6+0]
            ldxw %r2, [%r6+4]
            mov %r3, %r1
            add %r3, 1
            mov %r0, 0
            jgt %r3, %r2, +9
            call local first_byte
            stw [%r10-4], 0
            mov %r2, %r10
            add %r2, -4
            lddw %r1, map:values
            call map_lookup_elem
            mov %r1, %r0
            call local first_byte
            exit
            first_byte:
            jeq %r1, 0, +2
            ldxb %r0, [%r1]
            exit
            mov %r0, 0
            exit""", null));
        cases.add(new Case("a function whose only call lies on a branch the constants rule out may dereference its arguments (it never runs)", """
            mov %r6, 1
            mov %r0, 0
            jeq %r6, 1, +2
            mov %r1, 4096
            call local never
            exit
            never:
            ldxdw %r0, [%r1]
            exit""", null));
        cases.add(new Case("a subprogram returns a map value, or NULL, that its caller checks and dereferences", """
            .map values array key=4 value=8 entries=1
            call local lookup
            jeq %r0, 0, +1
            ldxdw %r0, [%r0]
            exit
            lookup:
            stw [%r10-4], 0
            mov %r2, %r10
            add %r2, -4
            lddw %r1, map:values
            call map_lookup_elem
            jne %r0, 0, +1
            mov %r0, 0
            exit""", null));
        cases.add(new Case("a tc program reads the packet between data and data_end", """
            .program prog tc
            ldxw %r2, [%r1+76]
            ldxw %r3, [%r1+80]
            mov %r4, %r2
            add %r4, 14
            mov %r0, 0
            jgt %r4, %r3, +1
            ldxh %r0, [%r2+12]
            exit""", null));
        cases.add(new Case("a map value looked up, checked and updated in place", """
            .map values array key=4 value=8 entries=1
            stw [%r10-4], 0
            mov %r2, %r10
            add %r2, -4
            lddw %r1, map:values
            call map_lookup_elem
            jeq %r0, 0, +2
            mov %r1, 1
            lock add [%r0], %r1
            mov %r0, 0
            exit""", null));
        cases.add(new Case("global data addressed by lddw map_value is a pointer", """
            .map data array key=4 value=16 entries=1
            lddw %r1, map_value:data+8
            ldxdw %r0, [%r1]
            stdw [%r1-8], 1
            exit""", null));
        cases.add(new Case("a ring-buffer record is written and submitted", """
            .map events ringbuf entries=4096
            lddw %r1, map:events
            mov %r2, 8
            mov %r3, 0
            call ringbuf_reserve
            jeq %r0, 0, +4
            stdw [%r0], 42
            mov %r1, %r0
            mov %r2, 0
            call ringbuf_submit
            mov %r0, 0
            exit""", null));
        cases.add(new Case("a map value or a stack buffer chosen per path may be dereferenced", """
            .map values array key=4 value=8 entries=1
            stdw [%r10-16], 0
            stw [%r10-4], 0
            mov %r2, %r10
            add %r2, -4
            lddw %r1, map:values
            call map_lookup_elem
            jne %r0, 0, +2
            mov %r0, %r10
            add %r0, -16
            ldxdw %r0, [%r0]
            exit""", null));
        return cases.stream();
    }

    static Program assemble(String text) {
        return Assembler.assembleProgram(text, "prog.s");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("laundered")
    void rejectsWithTheExactMessage(Case c) {
        BpfError error = assertThrows(BpfError.class, () -> Verifier.verify(assemble(c.text())));
        assertEquals(BpfError.Kind.VERIFY, error.kind());
        assertEquals(c.message(), error.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void verifies(Case c) {
        assertTrue(Verifier.verify(assemble(c.text())).isVerified(), c.behaviour());
    }
}
