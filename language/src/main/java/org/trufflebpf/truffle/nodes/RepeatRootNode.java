package org.trufflebpf.truffle.nodes;

import org.trufflebpf.runtime.RepeatedInput;
import org.trufflebpf.runtime.RunState;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.TruffleSafepoint;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.DirectCallNode;
import com.oracle.truffle.api.nodes.LoopNode;
import com.oracle.truffle.api.nodes.RootNode;

/**
 * The interpreter's repeats in one set-up (executeRepeated), as a guest loop: it calls the entry function
 * through a direct call, which Graal may inline into the loop, and rearms the state between runs
 * ({@link RepeatedInput#rearmState}, then {@link RepeatedInput#putBackByWords} in the compiled loop), as the native
 * engine's repeat loop does in machine code. Host code calling the
 * entry once per run would cross the call boundary and profile the arguments each time.
 *
 * <p>Arguments: the run state (entered and set up for the first run), the {@link RepeatedInput}, and the runs to
 * make (a Long). Returns the runs made (a Long): fewer when a run changed the set-up's structure, after which the
 * caller sets each run up on its own; the last run's r0 is in the state.
 */
public final class RepeatRootNode extends RootNode {
    @Child private DirectCallNode entry;

    public RepeatRootNode(TruffleLanguage<?> language, CallTarget entry) {
        super(language);
        this.entry = DirectCallNode.create(entry);
    }

    @Override
    public Object execute(VirtualFrame frame) {
        Object[] arguments = frame.getArguments();
        RunState state = (RunState) arguments[0];
        RepeatedInput again = (RepeatedInput) arguments[1];
        long times = (Long) arguments[2];
        long done = 0;
        while (true) {
            entry.call(state.entryArguments());
            done++;
            // A batch may be long: the host's actions (cancel, interrupt) are taken between runs too.
            TruffleSafepoint.poll(this);
            if (done == times || !rearmState(again)) {
                break;
            }
            // In the compiled loop: word moves, where the host's bulk copy would be a call.
            again.putBackByWords();
        }
        LoopNode.reportLoopCount(this, (int) Math.min(done, Integer.MAX_VALUE));
        return done;
    }

    @TruffleBoundary
    private static boolean rearmState(RepeatedInput again) {
        return again.rearmState();
    }

    @Override
    public String getName() {
        return "executeRepeated";
    }

    @Override
    public boolean isInternal() {
        return true;
    }
}
