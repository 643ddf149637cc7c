package org.trufflebpf.truffle.nodes;

import org.trufflebpf.runtime.NativeMemory;
import org.trufflebpf.runtime.RepeatedInput;
import org.trufflebpf.runtime.RunState;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.CompilerDirectives;
import com.oracle.truffle.api.CompilerDirectives.CompilationFinal;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.TruffleSafepoint;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.DirectCallNode;
import com.oracle.truffle.api.nodes.ExplodeLoop;
import com.oracle.truffle.api.nodes.LoopNode;
import com.oracle.truffle.api.nodes.RootNode;

/**
 * The interpreter's repeats in one set-up (executeRepeated), as a guest loop: it calls the entry function
 * through a direct call, which Graal may inline into the loop, and rearms the state between runs
 * ({@link RepeatedInput#rearmStateQuickly} inline, else {@link RepeatedInput#rearmState} behind a call; then the
 * bytes put back in the compiled loop), as the native engine's repeat loop does in machine code. Host code calling
 * the entry once per run would cross the call boundary and profile the arguments each time.
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
            if (done == times) {
                break;
            }
            if (!again.rearmStateQuickly()) {
                if (!quickRearmFails) {
                    // Until a run needs the full rearm, its call stays out of the compiled loop, which then keeps
                    // what it read of the state in registers from run to run.
                    CompilerDirectives.transferToInterpreterAndInvalidate();
                    quickRearmFails = true;
                }
                if (!rearmState(again)) {
                    break;
                }
            }
            putBack(again);
        }
        LoopNode.reportLoopCount(this, (int) Math.min(done, Integer.MAX_VALUE));
        return done;
    }

    /**
     * Puts the input's and the context's bytes back with word moves in the compiled loop (a bulk copy would be a
     * call). While every batch has the lengths of the first, they are constants of the compiled code and the moves
     * are unrolled (as a loop over the words, putting back the XDP parser's 54-byte packet took about 9 ns of its
     * 36 ns run).
     */
    private void putBack(RepeatedInput again) {
        int input = inputLength;
        int context = contextLength;
        if (input >= 0 && again.inputLength() == input && again.contextLength() == context) {
            copyUnrolled(again.inputImage(), again.inputAddress(), input);
            copyUnrolled(again.contextImage(), again.contextAddress(), context);
        } else {
            learnLengths(again);
            again.putBackByWords();
        }
    }

    private void learnLengths(RepeatedInput again) {
        if (inputLength == VARIES) {
            return;
        }
        CompilerDirectives.transferToInterpreterAndInvalidate();
        boolean first = inputLength == UNSEEN;
        if (first && again.inputLength() <= UNROLLED_BYTES && again.contextLength() <= UNROLLED_BYTES) {
            inputLength = again.inputLength();
            contextLength = again.contextLength();
        } else {
            inputLength = VARIES;
        }
    }

    /** Whether some run has needed the full rearm; until one does, compiled code leaves its call out. */
    @CompilationFinal private boolean quickRearmFails;

    /** The input's and the context's lengths every batch so far had, or {@link #UNSEEN} or {@link #VARIES}. */
    @CompilationFinal private int inputLength = UNSEEN;
    @CompilationFinal private int contextLength = UNSEEN;
    private static final int UNSEEN = -1;
    private static final int VARIES = -2;
    /** Longer inputs or contexts are put back by a loop: the unrolled moves would only grow the code. */
    private static final int UNROLLED_BYTES = 256;

    /** Copies {@code length} bytes, a constant: word moves, the last one overlapping the one before. */
    @ExplodeLoop
    private static void copyUnrolled(long from, long to, int length) {
        if (length >= 8) {
            for (int i = 0; i + 8 <= length; i += 8) {
                NativeMemory.writeU64(to + i, NativeMemory.readU64(from + i));
            }
            NativeMemory.writeU64(to + length - 8, NativeMemory.readU64(from + length - 8));
        } else {
            for (int i = 0; i < length; i++) {
                NativeMemory.writeU8(to + i, NativeMemory.readU8(from + i));
            }
        }
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
