package org.trufflebpf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.trufflebpf.model.ProgramType;

/**
 * A state rearmed for the next repeat is a fresh run's: the quick rearm a compiled repeat loop makes inline takes
 * only runs that changed counters and the references it resets, and hands every other run to the full rearm,
 * which compares the set-up field by field.
 */
class RunStateRearmTest {
    private static final RunOptions OPTIONS = new RunOptions(1000, TailCallAbi.COUNTER_BY_VALUE, 7, 1, 0);

    /** A state set up for an XDP run over 60 bytes, and its set-up; the caller closes the state. */
    private static RunState xdpRun() {
        RunState state = RunState.open(OPTIONS, System.out, null);
        state.enter();
        ProgramContexts.enter(state, ProgramType.XDP, new byte[60], null);
        return state;
    }

    private static void closeRun(RunState state) {
        state.leave();
        state.close();
    }

    @Test
    void aRunThatChangedOnlyCountersAndResetReferencesIsRearmedQuicklyToAFreshRunsState() {
        RunState state = xdpRun();
        try {
            RunState.SetUp setUp = state.setUp();
            long firstClock = state.readClock();
            long firstRandom = state.nextRandom();
            state.setRemainingBudget(10);
            state.setExitValue(5);
            state.setRedirect(new RunState.Redirect(3, 0));
            state.setPendingTailCall(new Object(), 1);
            state.setSharedTailCalls(4);
            assertTrue(state.rearmQuickly(setUp));
            assertEquals(1000, state.remainingBudget());
            assertEquals(0, state.exitValue());
            assertNull(state.redirect());
            assertNull(state.takePendingTailCall());
            assertEquals(0, state.sharedTailCalls());
            assertEquals(firstClock, state.readClock(), "the clock starts again");
            assertEquals(firstRandom, state.nextRandom(), "random numbers start again");
        } finally {
            closeRun(state);
        }
    }

    @Test
    void aChangedPacketContextOrEntryFieldSendsTheRunToTheFullRearmWhichRefusesIt() {
        for (Consumer<RunState> change : structureChanges()) {
            RunState state = xdpRun();
            try {
                RunState.SetUp setUp = state.setUp();
                change.accept(state);
                assertFalse(state.rearmQuickly(setUp));
                assertFalse(state.rearm(setUp));
            } finally {
                closeRun(state);
            }
        }
    }

    private static List<Consumer<RunState>> structureChanges() {
        return List.of(s -> s.setPacket(s.packetStart() + 2, s.packetEnd()), s -> s.setPacketMeta(s.packetStart() - 4),
                        s -> s.setPacketBufferStart(s.packetBufferStart() + 8), s -> s.setPacketBufferEnd(s.packetBufferEnd() - 8),
                        s -> s.setContextAddress(s.contextAddress() + 8), s -> s.setEntryRegisters(1, 2), s -> s.setSkbContext(true),
                        s -> s.setSkbNetworkOffset(s.skbNetworkOffset() + 1));
    }

    @Test
    void aRunThatAddedToItsListsIsRearmedInFullAndTheNextQuicklyAgain() {
        RunState state = xdpRun();
        try {
            RunState.SetUp setUp = state.setUp();
            state.addClone(new RunState.Clone(2, 0, new byte[4]));
            assertFalse(state.rearmQuickly(setUp));
            assertTrue(state.rearm(setUp));
            assertTrue(state.clones().isEmpty());
            assertTrue(state.rearmQuickly(setUp));
        } finally {
            closeRun(state);
        }
    }
}
