package org.trufflebpf.model;

import java.util.List;

/**
 * One function of a program as the verifier found it: the entry function starts at slot 0, every target of
 * a bpf-to-bpf call starts another.
 *
 * @param id                position in {@link ProgramAnalysis#functions()}; 0 is the entry
 * @param name              a symbol name when known, else {@code func@INDEX}
 * @param start             first slot index
 * @param end               slot index just past the last instruction
 * @param instructions      the function's instructions, with their program slot indexes
 * @param stackDepth        bytes of stack the function touches below r10 (not rounded)
 * @param callees           ids of the functions it calls directly
 * @param callsTailCall     it calls {@code bpf_tail_call} itself
 * @param tailCallReachable it, or a function it calls, tail calls: the native code keeps the tail-call
 *                          counter in its frame
 */
public record BpfFunction(int id, String name, int start, int end, List<Instruction> instructions, int stackDepth, List<Integer> callees,
                boolean callsTailCall, boolean tailCallReachable) {

    public BpfFunction {
        instructions = List.copyOf(instructions);
        callees = List.copyOf(callees);
    }

    /** The BPF stack size rounded up to 8, as the JIT reserves it ({@code round_up(stack_depth, 8)}). */
    public int roundedStackDepth() {
        return (stackDepth + 7) & ~7;
    }

    public boolean contains(int slotIndex) {
        return slotIndex >= start && slotIndex < end;
    }
}
