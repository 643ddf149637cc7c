package org.trufflebpf.truffle.nodes;

import java.util.Set;


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
 * A source line of a function (a statement), or one call site on it, as Truffle's instruments see it. The
 * bytecode loop never executes these nodes: when instrumented it tells their probes that the line begins or
 * ends, or that the call starts or returns ({@link LineProbes}). Instruments attach to them through the
 * wrappers Truffle puts in their place.
 */
@GenerateWrapper
@ExportLibrary(value = NodeLibrary.class)
public class LineNode extends Node implements InstrumentableNode {
    private final SourceSection section;
    private final boolean call;

    LineNode(SourceSection section, boolean call) {
        this.section = section;
        this.call = call;
    }

    /** For the generated wrapper. */
    LineNode(LineNode original) {
        this.section = original.section;
        this.call = original.call;
    }

    /** Never called by the loop; it is the method the wrapper's probe wraps. */
    public Object execute(@SuppressWarnings("unused") VirtualFrame frame) {
        return null;
    }

    @Override
    public boolean isInstrumentable() {
        return section != null;
    }

    @Override
    public boolean hasTag(Class<? extends Tag> tag) {
        return call ? tag == StandardTags.CallTag.class : tag == StandardTags.StatementTag.class;
    }

    @Override
    public SourceSection getSourceSection() {
        return section;
    }

    @Override
    public WrapperNode createWrapper(ProbeNode probe) {
        return new LineNodeWrapper(this, this, probe);
    }

    @Override
    public InstrumentableNode materializeInstrumentableNodes(Set<Class<? extends Tag>> materializedTags) {
        return this;
    }

    @ExportMessage
    boolean hasScope(@SuppressWarnings("unused") Frame frame) {
        return frame != null;
    }

    @ExportMessage
    Object getScope(Frame frame, @SuppressWarnings("unused") boolean nodeEnter) {
        return ((BpfFunctionNode) getRootNode()).scope(frame);
    }
}
