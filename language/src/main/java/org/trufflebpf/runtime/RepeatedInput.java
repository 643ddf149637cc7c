package org.trufflebpf.runtime;

import org.trufflebpf.model.ProgramType;

/**
 * One input run again and again in one state, as BPF_PROG_TEST_RUN's repeat does: the first run is set up as any
 * run ({@link ProgramContexts#enter}); each further run starts from that set-up, put back, rather than from a new
 * one. What a run may change without touching the set-up's structure is put back: the input's bytes, the
 * context struct's bytes and every per-run field. When a run did change the structure (a helper moved the packet,
 * took run memory or reached another module's maps), {@link #rearm} says so and the caller sets up afresh.
 */
public final class RepeatedInput {
    private final RunState state;
    private final RunState.SetUp setUp;
    private final long inputImage;
    private final long inputAddress;
    private final int inputLength;
    private final long contextImage;
    private final long contextAddress;
    private final int contextLength;

    private RepeatedInput(RunState state, RunState.SetUp setUp, long inputImage, long inputAddress, int inputLength, long contextImage,
                    long contextAddress, int contextLength) {
        this.state = state;
        this.setUp = setUp;
        this.inputImage = inputImage;
        this.inputAddress = inputAddress;
        this.inputLength = inputLength;
        this.contextImage = contextImage;
        this.contextAddress = contextAddress;
        this.contextLength = contextLength;
    }

    /**
     * The set-up {@link ProgramContexts#enter} has just made in {@code state} for {@code input}, kept before the
     * first run: images of the input and the context struct as the set-up wrote them, in the run's memory (no
     * guest region covers them). Null when the state cannot be rearmed (see {@link RunState#setUp}).
     */
    public static RepeatedInput keep(RunState state, ProgramType type, byte[] input) {
        int length = input == null ? 0 : input.length;
        // The input is at r1 of a raw run (which has no memory at all when it is empty), else the packet.
        long inputAddress = type == ProgramType.RAW ? (length == 0 ? 0 : state.contextAddress()) : state.packetStart();
        // An sk_buff's context struct: the set-up wrote it, and a program may write some of its fields. An XDP
        // context is read-only to programs, and the helpers that change it move the packet, which rearm sees.
        int contextLength = type == ProgramType.SOCKET_FILTER || type == ProgramType.SCHED_CLS ? ProgramContexts.SKB_TOTAL : 0;
        long contextAddress = contextLength == 0 ? 0 : state.contextAddress();
        long inputImage = length == 0 ? 0 : state.allocateRunMemory(length);
        long contextImage = contextLength == 0 ? 0 : state.allocateRunMemory(contextLength);
        // Taken after the images: they are part of what the set-up took.
        RunState.SetUp setUp = state.setUp();
        if (setUp == null) {
            return null;
        }
        if (length != 0) {
            NativeMemory.copy(inputAddress, inputImage, length);
        }
        if (contextLength != 0) {
            NativeMemory.copy(contextAddress, contextImage, contextLength);
        }
        return new RepeatedInput(state, setUp, inputImage, inputAddress, length, contextImage, contextAddress, contextLength);
    }

    /**
     * Makes the state after a run what the set-up made it before the first: true when it could, false (the state
     * left as the run left it) when the run changed the set-up's structure.
     */
    public boolean rearm() {
        if (!state.rearm(setUp)) {
            return false;
        }
        restoreBytes();
        return true;
    }

    /**
     * The state's part of {@link #rearm} alone, for a caller that then puts the bytes back itself with
     * {@link #putBackByWords}.
     */
    public boolean rearmState() {
        return state.rearm(setUp);
    }

    /**
     * {@link RunState#rearmQuickly}: the state's part of {@link #rearm} for a run that changed only counters, in
     * code a compiled loop inlines; false when {@link #rearmState} must decide.
     */
    public boolean rearmStateQuickly() {
        return state.rearmQuickly(setUp);
    }

    /**
     * Puts the input's and the context's bytes back a word at a time (the last word may overlap the one before):
     * for compiled guest code, where such a loop is a few moves while the bulk copy is a call.
     */
    public void putBackByWords() {
        copyWords(inputImage, inputAddress, inputLength);
        copyWords(contextImage, contextAddress, contextLength);
    }

    private static void copyWords(long from, long to, int length) {
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

    /** Puts the input's and the context's bytes back as the set-up wrote them. */
    private void restoreBytes() {
        if (inputLength != 0) {
            NativeMemory.copy(inputImage, inputAddress, inputLength);
        }
        if (contextLength != 0) {
            NativeMemory.copy(contextImage, contextAddress, contextLength);
        }
    }

    /** Where the input lies in the run (0: no input), where its image is, and its length: for a native loop that puts it back itself. */
    public long inputAddress() {
        return inputAddress;
    }

    public long inputImage() {
        return inputImage;
    }

    public int inputLength() {
        return inputLength;
    }

    /** As for the input, for the context struct (0: none to put back, a raw or XDP run). */
    public long contextAddress() {
        return contextAddress;
    }

    public long contextImage() {
        return contextImage;
    }

    public int contextLength() {
        return contextLength;
    }
}
