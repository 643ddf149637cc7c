package org.trufflebpf.truffle;

import org.trufflebpf.runtime.CancelFlag;

import com.oracle.truffle.api.TruffleSafepoint;

/**
 * How Truffle stops a thread blocked in native code: it sets the thread's cancel flag, which the code polls at
 * function entries and loop heads. One per context and thread, made once, so a native run allocates none.
 */
final class CancelInterrupter implements TruffleSafepoint.Interrupter {
    private final CancelFlag flag;

    CancelInterrupter(CancelFlag flag) {
        this.flag = flag;
    }

    CancelFlag flag() {
        return flag;
    }

    /** Whether the thread is in a batch of native runs that set itself blocked once for all its runs. */
    private boolean inBatch;

    boolean inBatch() {
        return inBatch;
    }

    void setInBatch(boolean value) {
        inBatch = value;
    }

    @Override
    public void interrupt(Thread thread) {
        flag.request();
    }

    @Override
    public void resetInterrupted() {
        // The run clears the flag itself when it polls.
    }
}
