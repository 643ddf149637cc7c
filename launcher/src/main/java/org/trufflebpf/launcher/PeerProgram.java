package org.trufflebpf.launcher;

/** A program loaded into a benchmark peer (gcc -O2, uBPF), run in-process on its fixed input. */
interface PeerProgram {
    /** One run; answers the program's result. */
    long runOnce() throws Throwable;

    default Measurement.Batch batch() {
        return times -> {
            try {
                for (long i = 0; i < times; i++) {
                    runOnce();
                }
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        };
    }
}
