package org.trufflebpf.truffle.nodes;

import com.oracle.truffle.api.TruffleSafepoint;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.instrumentation.InstrumentableNode.WrapperNode;
import com.oracle.truffle.api.instrumentation.ProbeNode;
import com.oracle.truffle.api.nodes.Node;

/**
 * A function's line and call-site nodes, inserted only once an instrument asks for statements or calls, so that
 * uninstrumented code has no trace of them. The loop reports here: a line begins (which ends the line the
 * frame was in), the function leaves its line, a call starts or returns. Which line a frame is in lives in a
 * frame slot, since jumps reach a line from anywhere.
 */
final class LineProbes extends Node {
    @Children private final LineNode[] lines;
    @Children private final LineNode[] calls;
    private final int currentLineSlot;

    LineProbes(LineNode[] lines, LineNode[] calls, int currentLineSlot) {
        this.lines = lines;
        this.calls = calls;
        this.currentLineSlot = currentLineSlot;
    }

    /** Line {@code index} begins: the frame's current line, if any, ends first. */
    void enterLine(VirtualFrame frame, int index) {
        // A safepoint at each line's end, while the frame still names that line: thread-local actions (the
        // line sampler's) then see the line they arrived in, not only the loops' back edges (safepoint bias).
        TruffleSafepoint.poll(this);
        leaveLine(frame);
        frame.setLongStatic(currentLineSlot, index + 1);
        ProbeNode probe = probe(lines[index]);
        if (probe != null) {
            probe.onEnter(frame);
        }
    }

    /** The frame leaves its current line (the function returns, or another line begins). */
    void leaveLine(VirtualFrame frame) {
        long current = frame.getLongStatic(currentLineSlot);
        if (current != 0) {
            frame.setLongStatic(currentLineSlot, 0);
            ProbeNode probe = probe(lines[(int) current - 1]);
            if (probe != null) {
                probe.onReturnValue(frame, null);
            }
        }
    }

    void enterCall(VirtualFrame frame, int index) {
        ProbeNode probe = probe(calls[index]);
        if (probe != null) {
            probe.onEnter(frame);
        }
    }

    void returnFromCall(VirtualFrame frame, int index, long result) {
        ProbeNode probe = probe(calls[index]);
        if (probe != null) {
            probe.onReturnValue(frame, result);
        }
    }

    private static ProbeNode probe(LineNode node) {
        // Truffle puts a wrapper in the node's place when an instrument attaches to it.
        return node instanceof WrapperNode wrapper ? wrapper.getProbeNode() : null;
    }
}
