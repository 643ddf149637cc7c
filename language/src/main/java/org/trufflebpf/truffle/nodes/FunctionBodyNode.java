package org.trufflebpf.truffle.nodes;

import java.util.Set;
import java.util.concurrent.locks.Lock;

import com.oracle.truffle.api.frame.Frame;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.instrumentation.GenerateWrapper;
import com.oracle.truffle.api.instrumentation.InstrumentableNode;
import com.oracle.truffle.api.instrumentation.ProbeNode;
import com.oracle.truffle.api.instrumentation.StandardTags;
import com.oracle.truffle.api.instrumentation.Tag;
import com.oracle.truffle.api.interop.NodeLibrary;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import com.oracle.truffle.api.source.SourceSection;

/**
 * The body of a BPF function as instruments see it (root and root body): executing it runs the function's
 * bytecode loop from its first instruction. Asked for statements or calls, it has the function insert its
 * {@link LineProbes}.
 */
@GenerateWrapper
@ExportLibrary(value = NodeLibrary.class)
public class FunctionBodyNode extends Node implements InstrumentableNode {
    private final BpfFunctionNode function;
    /** The function's line and call-site nodes once inserted; instruments find them under this node. */
    @Child private LineProbes lineProbes;

    FunctionBodyNode(BpfFunctionNode function) {
        this.function = function;
    }

    /** For the generated wrapper. */
    FunctionBodyNode(FunctionBodyNode original) {
        this.function = original.function;
    }

    public Object execute(VirtualFrame frame) {
        return function.runFromEntry(frame);
    }

    @Override
    public boolean isInstrumentable() {
        return true;
    }

    @Override
    public boolean hasTag(Class<? extends Tag> tag) {
        return tag == StandardTags.RootTag.class || tag == StandardTags.RootBodyTag.class;
    }

    @Override
    public SourceSection getSourceSection() {
        return function.getSourceSection();
    }

    @Override
    public WrapperNode createWrapper(ProbeNode probe) {
        return new FunctionBodyNodeWrapper(this, this, probe);
    }

    @Override
    public InstrumentableNode materializeInstrumentableNodes(Set<Class<? extends Tag>> materializedTags) {
        if (lineProbes == null && (materializedTags.contains(StandardTags.StatementTag.class) || materializedTags.contains(StandardTags.CallTag.class))) {
            Lock lock = getLock();
            lock.lock();
            try {
                if (lineProbes == null) {
                    LineProbes probes = function.newLineProbes();
                    if (probes != null) {
                        lineProbes = insert(probes);
                        notifyInserted(probes);
                        function.useLineProbes(probes);
                    }
                }
            } finally {
                lock.unlock();
            }
        }
        return this;
    }

    @ExportMessage
    boolean hasScope(Frame frame) {
        return frame != null;
    }

    @ExportMessage
    Object getScope(Frame frame, @SuppressWarnings("unused") boolean nodeEnter) {
        return function.scope(frame);
    }
}
