package org.trufflebpf.truffle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.trufflebpf.model.BpfError;
import org.trufflebpf.model.Program;
import org.trufflebpf.model.ProgramType;
import org.trufflebpf.runtime.CachedThreadLocal;
import org.trufflebpf.runtime.CancelFlag;
import org.trufflebpf.runtime.ContextInput;
import org.trufflebpf.runtime.IpAddresses;
import org.trufflebpf.runtime.KernelEngineProvider;
import org.trufflebpf.runtime.NativeEngineProvider;
import org.trufflebpf.runtime.NativeMemory;
import org.trufflebpf.runtime.ProgramContexts;
import org.trufflebpf.runtime.RepeatedInput;
import org.trufflebpf.runtime.RunState;
import org.trufflebpf.runtime.RuntimeFault;
import org.trufflebpf.runtime.RunOptions;
import org.trufflebpf.runtime.TailCallAbi;
import org.trufflebpf.runtime.TunnelInfo;
import org.trufflebpf.runtime.maps.MapSet;
import org.trufflebpf.truffle.nodes.BpfFunctionNode;
import org.trufflebpf.truffle.nodes.EntryTargets;
import org.trufflebpf.truffle.nodes.RepeatRootNode;
import org.trufflebpf.truffle.nodes.TailCallTarget;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.RootCallTarget;
import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.TruffleSafepoint;
import com.oracle.truffle.api.interop.ArityException;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.InvalidArrayIndexException;
import com.oracle.truffle.api.interop.InvalidBufferOffsetException;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.interop.UnsupportedMessageException;
import com.oracle.truffle.api.interop.UnsupportedTypeException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;

/**
 * A loaded program, executable from any language: {@code execute(bytes)} builds the program's context over
 * the bytes (raw memory, socket buffer or XDP packet) and returns r0; a raw-memory program may instead take up
 * to five numbers, which become r1 to r5. Each execution is one run with its own stack and budget. A program
 * is also what prog array slots hold.
 */
@ExportLibrary(InteropLibrary.class)
public final class BpfProgram implements TruffleObject, TailCallTarget {
    private final Program program;
    private final EntryTargets entries;
    /** The entry function for this program's own tail-call ABI ({@link #runOptions}). */
    private final CallTarget entry;
    private final NativeEngineProvider.NativeCode nativeCode;
    private final KernelEngineProvider.KernelCode kernelCode;
    private final MapSet maps;
    private final BpfContext context;
    private final RunOptions runOptions;

    BpfProgram(Program program, EntryTargets entries, NativeEngineProvider.NativeCode nativeCode, KernelEngineProvider.KernelCode kernelCode, MapSet maps,
                    BpfContext context, RunOptions runOptions) {
        this.program = program;
        this.entries = entries;
        this.entry = entries.get(runOptions.tailCallAbi());
        this.nativeCode = nativeCode;
        this.kernelCode = kernelCode;
        this.maps = maps;
        this.context = context;
        this.runOptions = runOptions;
        this.location = ((RootCallTarget) entry).getRootNode();
        Node where = location;
        this.hostPoll = () -> TruffleSafepoint.poll(where);
        this.nativeRun = nativeCode == null ? null : s -> s.setExitValue(nativeCode.run(s, s.entryR1(), s.entryR2()));
    }

    @Override
    public String name() {
        return program.name();
    }

    /**
     * Whether the verifier proved reads of the input through its length, which hold only for a run that starts
     * with the input in r1 and its length in r2 ({@code ProgramAnalysis.needsInputAtEntry}).
     */
    private boolean needsInputAtEntry() {
        return program.isVerified() && program.analysis().needsInputAtEntry();
    }

    /** Why the program may not be put in a prog array slot, or null. */
    String tailCallTargetProblem() {
        if (!needsInputAtEntry()) {
            return null;
        }
        return "program '" + program.name() + "' reads its input at indexes proven below the length in r2, and a tail call enters it with the caller's r2"
                        + " (the prog array), so it cannot be a tail call's target";
    }

    /** Its program type, which a prog array slot it is put in must serve. */
    ProgramType type() {
        return program.type();
    }

    /** The context the program was loaded in: its maps, code and runs belong to it. */
    BpfContext context() {
        return context;
    }

    /** The program as loaded in the kernel when {@code bpf.Engine=kernel}, else null. */
    KernelEngineProvider.KernelCode kernelCode() {
        return kernelCode;
    }

    @Override
    public long nativeEntry() {
        return nativeCode == null ? 0 : nativeCode.entryAddress();
    }

    @Override
    public CallTarget entryTarget(TailCallAbi abi) {
        return abi == runOptions.tailCallAbi() ? entry : entries.get(abi);
    }

    @Override
    public MapSet maps() {
        return maps;
    }

    @ExportMessage
    boolean isExecutable() {
        return true;
    }

    @ExportMessage
    @TruffleBoundary
    Object execute(Object[] arguments) throws UnsupportedTypeException, ArityException {
        return runWith(arguments, null);
    }

    /**
     * Parses {@code execute}'s arguments and runs. A writable guest or host buffer (not a host byte[], which
     * callers may reuse) receives the input's bytes as the run left them, also when the run fails, as the
     * kernel's test runs return their data. {@code executed}, when given, receives the instructions executed.
     */
    private Object runWith(Object[] arguments, long[] executed) throws UnsupportedTypeException, ArityException {
        return runWith(arguments, executed, context.contextIn(), null);
    }

    /** As {@link #runWith(Object[], long[])}, with the context input {@code contextIn} and its ctx_out into {@code contextOut}. */
    private Object runWith(Object[] arguments, long[] executed, byte[] contextIn, byte[] contextOut) throws UnsupportedTypeException, ArityException {
        InPlaceInput direct = arguments.length == 1 ? directInput(arguments[0]) : null;
        if (direct != null) {
            try {
                return run(null, null, null, executed, contextIn, contextOut, direct);
            } finally {
                // The run used the caller's memory in place: it must not be freed before the run is over.
                Reference.reachabilityFence(direct.keepAlive());
            }
        }
        byte[] input = null;
        long[] registers = null;
        Object writeBack = null;
        if (arguments.length == 1 && !InteropLibrary.getUncached().fitsInLong(arguments[0])) {
            try {
                input = InteropBytes.bytesOf(arguments[0]);
            } catch (UnsupportedMessageException e) {
                input = null;
            }
            if (input == null && !InteropLibrary.getUncached().isNull(arguments[0])) {
                TruffleLanguage.Env env = BpfContext.get(null).env();
                boolean segment = env.isHostObject(arguments[0]) && env.asHostObject(arguments[0]) instanceof MemorySegment;
                throw UnsupportedTypeException.create(arguments,
                                segment ? "the input MemorySegment is closed or confined to another thread" : "expected bytes (a buffer or an array of numbers)");
            }
            if (input != null && (isWritableBuffer(arguments[0]) || writableHostSegment(arguments[0]) != null)) {
                writeBack = arguments[0];
            }
        } else if (arguments.length > 0) {
            if (program.type() != ProgramType.RAW) {
                throw UnsupportedTypeException.create(arguments, "a " + program.type() + " program takes packet bytes");
            }
            if (arguments.length > 5) {
                throw ArityException.create(0, 5, arguments.length);
            }
            registers = new long[5];
            for (int i = 0; i < arguments.length; i++) {
                InteropLibrary interop = InteropLibrary.getUncached(arguments[i]);
                try {
                    registers[i] = interop.asLong(arguments[i]);
                } catch (UnsupportedMessageException e) {
                    throw UnsupportedTypeException.create(arguments, "argument " + i + " is not a number");
                }
            }
        }
        byte[] finalBytes = writeBack == null ? null : new byte[input.length];
        try {
            return run(input, registers, finalBytes, executed, contextIn, contextOut, null);
        } finally {
            if (writeBack != null) {
                copyInto(writeBack, finalBytes);
            }
        }
    }

    /**
     * The caller's direct ByteBuffer or native MemorySegment, when a raw-memory program can run over its memory in
     * place (no copy in, no write-back; see {@link InPlaceInput}), writable unless it is read-only. Packet programs
     * copy, since their packet sits in a frame with headroom as in the kernel.
     */
    private InPlaceInput directInput(Object argument) {
        if (program.type() != ProgramType.RAW || kernelCode != null || context.usesKernel()) {
            return null;
        }
        TruffleLanguage.Env env = BpfContext.get(null).env();
        if (!env.isHostObject(argument)) {
            return null;
        }
        Object host = env.asHostObject(argument);
        // A buffer only where the embedder's host access lets guests see buffers at all, as a copy would need; a
        // segment the embedder hands over is only ever the run's input.
        if (host instanceof ByteBuffer && !InteropLibrary.getUncached().hasBufferElements(argument)) {
            return null;
        }
        return InPlaceInput.of(host);
    }

    /** The host's writable MemorySegment that {@code value} is, or null. */
    private static MemorySegment writableHostSegment(Object value) {
        TruffleLanguage.Env env = BpfContext.get(null).env();
        return env.isHostObject(value) && env.asHostObject(value) instanceof MemorySegment segment && !segment.isReadOnly() ? segment : null;
    }

    private static boolean isWritableBuffer(Object value) {
        InteropLibrary interop = InteropLibrary.getUncached(value);
        TruffleLanguage.Env env = BpfContext.get(null).env();
        try {
            return interop.hasBufferElements(value) && interop.isBufferWritable(value) && !(env.isHostObject(value) && env.asHostObject(value) instanceof byte[]);
        } catch (UnsupportedMessageException e) {
            return false;
        }
    }

    private static void copyInto(Object buffer, byte[] bytes) {
        MemorySegment segment = writableHostSegment(buffer);
        if (segment != null) {
            try {
                MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, (int) Math.min(bytes.length, segment.byteSize()));
            } catch (IllegalStateException | WrongThreadException e) {
                // Its arena was closed during the run (or it belongs to another thread now): the bytes have no home.
            }
            return;
        }
        InteropLibrary interop = InteropLibrary.getUncached(buffer);
        try {
            for (int i = 0; i < bytes.length; i++) {
                interop.writeBufferByte(buffer, i, bytes[i]);
            }
        } catch (UnsupportedMessageException | InvalidBufferOffsetException e) {
            // The buffer was writable and as long as the input a moment ago; nothing sensible to report.
        }
    }

    /** One run over {@code input} (or with the given r1..r5); returns r0. */
    @TruffleBoundary
    public long run(byte[] input, long[] registers) {
        return run(input, registers, null, null, context.contextIn(), null, null);
    }

    /**
     * One run; {@code finalBytes} (input-sized), when given, receives the input memory as the run left it
     * (raw memory, or the packet where it started); {@code executed[0]} the instructions executed, -1 on the
     * kernel engine, which does not count them. {@code contextIn}, when given, sets context fields as
     * BPF_PROG_TEST_RUN's ctx_in does ({@link ContextInput}); {@code contextOut} (the struct's size), when given,
     * receives the context as its ctx_out reports it.
     */
    private long run(byte[] input, long[] registers, byte[] finalBytes, long[] executed, byte[] contextIn, byte[] contextOut, InPlaceInput inPlace) {
        return run(input, registers, finalBytes, executed, contextIn, contextOut, inPlace, 1);
    }

    /**
     * {@code times} runs as {@link #run} makes one, the last one's r0 returned (and reported in the arrays). The
     * first is set up as any run; each further one starts from that set-up put back ({@link RepeatedInput}), as
     * BPF_PROG_TEST_RUN's repeat runs in one set-up, while the runs before it left the set-up's structure alone;
     * after one that did not, the rest are set up one by one.
     */
    @TruffleBoundary
    private long run(byte[] input, long[] registers, byte[] finalBytes, long[] executed, byte[] contextIn, byte[] contextOut, InPlaceInput inPlace,
                    long times) {
        if (kernelCode == null && context.usesKernel()) {
            throw BpfGuestException.of(new BpfError(BpfError.Kind.LOAD, program.sourceName(), program.name(), -1, null,
                            "raw-memory programs have no kernel counterpart; give the program a socket, tc or xdp context (--context)"), null);
        }
        if (contextIn != null) {
            checkContextInput(inPlace != null ? inPlace.length() : input == null ? 0 : input.length, registers != null, contextIn);
        }
        if (kernelCode != null) {
            if (registers != null) {
                throw BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, program.sourceName(), program.name(), -1, null,
                                "the kernel engine runs packet programs only; it takes packet bytes, not registers"), null);
            }
            if (executed != null) {
                // BPF_PROG_TEST_RUN counts no instructions: unknown, not 0.
                executed[0] = -1;
            }
            try {
                byte[] packet = input == null ? new byte[0] : input;
                long r0 = 0;
                for (long i = 0; i < times; i++) {
                    r0 = kernelCode.run(packet, contextIn, finalBytes, contextOut);
                }
                return r0;
            } catch (BpfError error) {
                throw BpfGuestException.of(error, null);
            }
        }
        long done = 0;
        // The last run's redirect, clones and tunnel are replaced in the thread's OfThread once the run is over.
        try (RunState state = RunState.open(runOptions, context.output(), maps)) {
            OfThread mine = ofThread.get();
            setHostInputs(state, mine);
            state.enter();
            long inputAddress = 0;
            try {
                if (registers != null) {
                    if (needsInputAtEntry()) {
                        // Its reads are proven for an input in r1 of the length in r2, which given registers need not be.
                        throw BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, program.sourceName(), program.name(), -1, null,
                                        "the program reads its input at indexes proven below the length in r2; run it over input bytes, not given registers"), null);
                    }
                    state.setEntryRegisters(registers[0], registers[1]);
                } else if (inPlace != null) {
                    ProgramContexts.enterInPlace(state, inPlace.address(), inPlace.length(), inPlace.writable());
                } else {
                    ProgramContexts.enter(state, program.type(), input, contextIn);
                    inputAddress = program.type() == ProgramType.RAW ? state.entryR1() : state.packetStart();
                }
                RepeatedInput again = times > 1 && registers == null && inPlace == null && context.repeatInOneSetUp() ? RepeatedInput.keep(state, program.type(), input) : null;
                if (again != null) {
                    done = runInOneSetUp(state, mine, again, times);
                    if (done == times) {
                        return state.exitValue();
                    }
                } else {
                    long r0;
                    if (nativeCode != null) {
                        r0 = runNative(state, mine);
                    } else {
                        // The entry function's arguments (see BpfFunctionNode): run, frame 0, tail calls so far 0; r1..r5 in the run.
                        Object[] arguments = state.entryArguments();
                        if (registers != null) {
                            state.setCallRegisters(registers[0], registers[1], registers[2], registers[3], registers[4]);
                        }
                        entry.call(arguments);
                        r0 = state.exitValue();
                    }
                    done = 1;
                    if (times == 1) {
                        return r0;
                    }
                }
            } finally {
                state.leave();
                mine.redirect = state.redirect();
                mine.clones = state.clones().isEmpty() ? List.of() : List.copyOf(state.clones());
                mine.tunnel = state.tunnel();
                if (contextOut != null && contextIn != null && state.contextAddress() != 0) {
                    byte[] out = ProgramContexts.contextOut(state, program.type(), contextIn);
                    System.arraycopy(out, 0, contextOut, 0, Math.min(out.length, contextOut.length));
                }
                if (finalBytes != null && inputAddress != 0) {
                    // A packet bpf_xdp_adjust_tail shortened ends early: as the kernel's data_out, zeros after its end.
                    // An sk_buff's packet is handed back from where it now starts (bpf_skb_change_head pushes bytes in
                    // front, and the kernel's data_out starts there too).
                    long from = program.type() == ProgramType.SOCKET_FILTER || program.type() == ProgramType.SCHED_CLS ? state.packetStart() : inputAddress;
                    int kept = program.type() == ProgramType.RAW ? finalBytes.length : (int) Math.max(0, Math.min(finalBytes.length, state.packetEnd() - from));
                    System.arraycopy(NativeMemory.copyOut(from, kept), 0, finalBytes, 0, kept);
                }
                if (executed != null) {
                    executed[0] = state.executed();
                }
            }
        } catch (BpfError error) {
            // Raised by the native engine, which has no Truffle node to place it.
            throw BpfGuestException.of(error, null);
        } catch (RuntimeFault fault) {
            throw BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, program.sourceName(), program.name(), -1, null, fault.getMessage()), null);
        }
        // A run changed the set-up's structure: the rest are set up one by one.
        long r0 = 0;
        for (; done < times; done++) {
            r0 = run(input, registers, finalBytes, executed, contextIn, contextOut, inPlace, 1);
        }
        return r0;
    }

    /**
     * Runs within {@code state}, set up for the first, until {@code times} are made or one changed the set-up's
     * structure (see {@link RepeatedInput#rearm}); returns the runs made, the last one's r0 in the state. Apart
     * from {@link #run}, so that the JVM compiles this loop on its own.
     */
    private long runInOneSetUp(RunState state, OfThread mine, RepeatedInput again, long times) {
        if (nativeCode == null) {
            return (Long) repeatTarget().call(state, again, times);
        }
        if (nativeCode.repeatsInNativeLoop()) {
            // All runs in one native loop; executeRepeated's blocked section lets the host's flag stop it.
            state.allowCancellation(mine.interrupter().flag(), hostPoll);
            state.setExitValue(nativeCode.runRepeated(state, again, times));
            return times;
        }
        long done = 0;
        do {
            state.setExitValue(runNative(state, mine));
            done++;
        } while (done < times && again.rearm());
        return done;
    }

    /** The interpreter's repeat loop over this program's entry function, made at the first batch. */
    private CallTarget repeatTarget() {
        CallTarget target = repeat;
        if (target == null) {
            // Two threads may both make one: either serves.
            target = new RepeatRootNode(((RootCallTarget) entry).getRootNode().getLanguage(BpfLanguage.class), entry).getCallTarget();
            repeat = target;
        }
        return target;
    }

    private volatile CallTarget repeat;

    /** What the host gives each run besides its input: the received tunnel, routes, probe memory and cgroup. */
    private void setHostInputs(RunState state, OfThread mine) {
        state.setTunnel(mine.incomingTunnel);
        state.setFib(context.fib());
        state.setProbeMemory(context.probeMemory());
        state.setCgroup(context.cgroup());
    }

    /**
     * Refuses a context input the kernel would refuse (with the field and the kernel's errno) and, on our
     * engines, one they do not model; one line each.
     */
    private void checkContextInput(int packetLength, boolean withRegisters, byte[] contextIn) {
        String problem;
        if (withRegisters || program.type() == ProgramType.RAW) {
            problem = "raw-memory programs take no context input (it is a packet program's struct __sk_buff or struct xdp_md)";
        } else {
            // In the kernel a socket filter's skb starts after the Ethernet header, so its length is 14 bytes shorter.
            int skbLength = kernelCode != null && program.type() == ProgramType.SOCKET_FILTER ? Math.max(0, packetLength - 14) : packetLength;
            problem = ContextInput.kernelProblem(program.type(), contextIn, skbLength, packetLength);
            if (problem == null && kernelCode == null) {
                problem = ContextInput.engineProblem(program.type(), contextIn);
            }
        }
        if (problem != null) {
            throw BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, program.sourceName(), program.name(), -1, null, "context input: " + problem), null);
        }
    }

    /**
     * A native run is, for Truffle, a blocked thread: when the host submits a safepoint action (close(true),
     * interrupt, or any other), Truffle calls the interrupter, which sets the cancel flag the native code polls
     * at function entries and loop heads. There the code calls back into Java, which processes the action
     * ({@link TruffleSafepoint#poll}): a cancel or interrupt throws, and the run unwinds with that exception;
     * any other action returns, and the run goes on where it was.
     */
    private long runNative(RunState state, OfThread mine) {
        CancelInterrupter interrupter = mine.interrupter();
        CancelFlag flag = interrupter.flag();
        if (nativeCode.endsWithoutHost()) {
            // The run itself polls nothing and is over before a request could matter; a request made during a
            // batch (which is blocked for all its runs) is taken here, before the next run, as that run's first
            // poll would.
            if (flag.isRequested()) {
                flag.clear();
                hostPoll.run();
            }
            return nativeCode.run(state, state.entryR1(), state.entryR2());
        }
        state.allowCancellation(flag, hostPoll);
        if (interrupter.inBatch()) {
            // Blocked already, for the whole batch; the flag is not cleared between its runs, so a request that
            // arrives between two runs is seen by the next one's first poll.
            return nativeCode.run(state, state.entryR1(), state.entryR2());
        }
        flag.clear();
        TruffleSafepoint.getCurrent().setBlocked(location, interrupter, nativeRun, state, null, null);
        return state.exitValue();
    }

    /** Where the host's safepoint actions during a native run are placed: the entry function. */
    private final Node location;
    /** What native code calls when it finds the cancel flag set (one per program, not per run). */
    private final Runnable hostPoll;
    /** One native run from the state's entry registers, r0 left in the state (no boxed result). */
    private final TruffleSafepoint.Interruptible<RunState> nativeRun;

    @ExportMessage
    boolean hasMembers() {
        return true;
    }

    @ExportMessage
    Object getMembers(@SuppressWarnings("unused") boolean includeInternal) {
        return new InteropArray("name", "type", "section", REDIRECT, CLONES, TUNNEL, SET_TUNNEL, NATIVE_CODE, NATIVE_CODE_WITH_STUBS, UNCHECKED_NATIVE_CODE, WITH_TAIL_CALL_ABI, EXECUTE_COUNTED, KERNEL_LOG, KERNEL_BTF,
                        KERNEL_BENCHMARK, JIT_BENCHMARK, EXECUTE_WITH_CONTEXT, EXECUTE_BATCH, EXECUTE_REPEATED);
    }

    /**
     * {@code redirect}: where the calling thread's last run of this program redirected the packet
     * ({@code {ifindex, flags}} of its last bpf_redirect; {@code {ifindex, flags, map, key}} of its last
     * bpf_redirect_map, ifindex the devmap entry's, else 0), or null. BPF_PROG_TEST_RUN does not report the target
     * (the kernel returns the action only), so on the kernel engine it is always null.
     */
    static final String REDIRECT = "redirect";

    /**
     * What the calling thread's runs of this program leave for it to read (redirect, clones, tunnel) and take
     * from it (the received tunnel): one thread-local for all, looked up once per run.
     */
    private static final class OfThread {
        RunState.Redirect redirect;
        /** Null before the thread's first run. */
        List<RunState.Clone> clones;
        TunnelInfo tunnel;
        TunnelInfo incomingTunnel;
        /**
         * The thread's cancel flag in this program's context, looked up at its first native run: a program belongs
         * to one context, and the context-thread local's lookup outside compiled code cost more than a short run's
         * own code.
         */
        private CancelInterrupter interrupter;

        CancelInterrupter interrupter() {
            if (interrupter == null) {
                interrupter = BpfLanguage.cancelInterrupter();
            }
            return interrupter;
        }
    }

    private final CachedThreadLocal<OfThread> ofThread = new CachedThreadLocal<>(OfThread::new);

    private Object lastRedirect() {
        RunState.Redirect target = ofThread.get().redirect;
        if (target == null) {
            return NullValue.INSTANCE;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("ifindex", target.ifindex());
        fields.put("flags", target.flags());
        if (target.map() != null) {
            fields.put("map", target.map());
            fields.put("key", target.key());
        }
        // bpf_redirect_neigh: whether the neighbour is resolved, and the next hop it was given (else null).
        fields.put("neighbour", target.neighbour() != null);
        fields.put("nexthop", target.neighbour() == null || target.neighbour().family() == 0 ? NullValue.INSTANCE : nexthopText(target.neighbour()));
        return new InteropRecord(fields);
    }

    private static String nexthopText(RunState.Neighbour neighbour) {
        if (neighbour.nexthop().length == 0) {
            return "family " + neighbour.family();
        }
        return IpAddresses.text(neighbour.nexthop());
    }

    /**
     * {@code tunnel}: the sk_buff's tunnel metadata after the calling thread's last run of this program (as
     * bpf_skb_set_tunnel_key/opt left it, or as given), {@code {mode: "tx"|"rx", id, remote, local, tos, ttl,
     * label, flags, options, text}}, or null when it had none (always on the kernel engine).
     */
    static final String TUNNEL = "tunnel";

    /**
     * {@code setTunnel(text)}: the received tunnel metadata the calling thread's following runs of this program
     * start with (the text form of {@link TunnelInfo}, as {@code bpf run --tunnel} takes it); null for none.
     */
    static final String SET_TUNNEL = "setTunnel";

    private Object lastTunnel() {
        TunnelInfo info = ofThread.get().tunnel;
        if (info == null) {
            return NullValue.INSTANCE;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("mode", info.transmit() ? "tx" : "rx");
        fields.put("id", info.id());
        fields.put("remote", info.remote());
        fields.put("local", info.local());
        fields.put("tos", info.tos());
        fields.put("ttl", info.ttl());
        fields.put("label", info.label());
        fields.put("flags", info.flags());
        fields.put("options", new ByteBufferObject(info.options()));
        fields.put("text", info.toString());
        return new InteropRecord(fields);
    }

    private Object setTunnel(Object[] arguments) throws ArityException, UnsupportedTypeException {
        if (arguments.length != 1) {
            throw ArityException.create(1, 1, arguments.length);
        }
        InteropLibrary interop = InteropLibrary.getUncached(arguments[0]);
        if (interop.isNull(arguments[0])) {
            ofThread.get().incomingTunnel = null;
            return NullValue.INSTANCE;
        }
        if (kernelCode != null) {
            throw BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, null, "the kernel engine cannot give a run tunnel metadata (BPF_PROG_TEST_RUN has no input for it)"), null);
        }
        try {
            ofThread.get().incomingTunnel = TunnelInfo.parse(interop.asString(arguments[0]));
        } catch (UnsupportedMessageException e) {
            throw UnsupportedTypeException.create(arguments, "expected the tunnel as text (id=..,remote=..,local=..) or null");
        } catch (IllegalArgumentException e) {
            throw BpfGuestException.of(new BpfError(BpfError.Kind.RUNTIME, null, e.getMessage()), null);
        }
        return NullValue.INSTANCE;
    }

    /**
     * {@code clones}: the packets the calling thread's last run of this program sent with bpf_clone_redirect,
     * in order, each {@code {ifindex, flags, packet}} (the packet's bytes at the call); empty when none, null on
     * the kernel engine, whose BPF_PROG_TEST_RUN does not report them.
     */
    static final String CLONES = "clones";

    private Object lastClones() {
        List<RunState.Clone> made = ofThread.get().clones;
        if (made == null) {
            return kernelCode != null ? NullValue.INSTANCE : new InteropArray();
        }
        return new InteropArray(made.size(), i -> {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("ifindex", made.get(i).ifindex());
            fields.put("flags", made.get(i).flags());
            fields.put("packet", new ByteBufferObject(made.get(i).packet()));
            return new InteropRecord(fields);
        });
    }

    /** {@code kernelVerifierLog}: the kernel verifier's log of this program's load; null on the other engines. */
    static final String KERNEL_LOG = "kernelVerifierLog";

    /**
     * {@code kernelBtf}: on the kernel engine, what became of the object's BTF in one line (loaded, with each
     * map's BTF id and key/value type ids as the kernel reports them; refused, with the kernel's reason; or
     * absent); null on the other engines.
     */
    static final String KERNEL_BTF = "kernelBtf";

    /**
     * {@code kernelBenchmark(bytes, repeat)}: on the kernel engine, {@code repeat} runs in one BPF_PROG_TEST_RUN;
     * returns the kernel's average nanoseconds per run.
     */
    static final String KERNEL_BENCHMARK = "kernelBenchmark";

    /**
     * {@code jitBenchmark(n[, warmup])}: on the native engine, compiles the program {@code warmup} times untimed
     * (default 0), then {@code n} times timed, as its load did (each code freed at once, never run), and returns
     * {@code [median nanoseconds of a timed compile, instructions, bytes of executable memory the code holds]}:
     * with a warm-up, the JIT's own time once the JVM runs the compiler warm, for {@code bpf bench}'s JIT time
     * per instruction; without, its time in the first compiles after the load.
     */
    static final String JIT_BENCHMARK = "jitBenchmark";

    private Object jitBenchmark(Object[] arguments) throws ArityException, UnsupportedTypeException {
        if (arguments.length != 1 && arguments.length != 2) {
            throw ArityException.create(1, 2, arguments.length);
        }
        int n = compiles(arguments, 0, 1);
        int warmup = arguments.length == 2 ? compiles(arguments, 1, 0) : 0;
        for (int i = 0; i < warmup; i++) {
            compileOnce().close();
        }
        long[] nanos = new long[n];
        long codeBytes = 0;
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            NativeEngineProvider.NativeCode code = compileOnce();
            nanos[i] = System.nanoTime() - start;
            codeBytes = code.codeBytes();
            // Never run: closing unhooks its patch sites and frees its memory once the context's runs allow.
            code.close();
        }
        Arrays.sort(nanos);
        return new InteropArray(nanos[n / 2], (long) program.code().size(), codeBytes);
    }

    private NativeEngineProvider.NativeCode compileOnce() {
        return context.nativeEngine().compile(program, maps, runOptions.tailCallAbi());
    }

    private static int compiles(Object[] arguments, int index, int least) throws UnsupportedTypeException {
        int count;
        try {
            count = InteropLibrary.getUncached().asInt(arguments[index]);
        } catch (UnsupportedMessageException e) {
            throw UnsupportedTypeException.create(arguments, "expected a number of compiles");
        }
        if (count < least || count > 10_000) {
            throw UnsupportedTypeException.create(arguments, "expected " + least + " to 10000 compiles");
        }
        return count;
    }

    /** {@code nativeCode}: the native engine's code as it is now, disassembled; null on the interpreter. */
    static final String NATIVE_CODE = "nativeCode";
    /** {@code nativeCodeWithStubs}: the same, preceded by the runtime stubs the code calls. */
    static final String NATIVE_CODE_WITH_STUBS = "nativeCodeWithStubs";
    /** {@code uncheckedNativeCode}: what a verified program's code is without run-time checks (it never runs so here). */
    static final String UNCHECKED_NATIVE_CODE = "uncheckedNativeCode";

    /** {@code withTailCallAbi(name)}: the same program (same maps and slots) run under another tail-call ABI. */
    static final String WITH_TAIL_CALL_ABI = "withTailCallAbi";

    /**
     * {@code executeCounted(input...)}: runs as {@code execute} does and returns {@code [r0, executed]}, the
     * instructions the run executed as the budget counts them, so that engines can be compared on it; -1 (unknown)
     * on the kernel engine, whose test runs count none.
     */
    static final String EXECUTE_COUNTED = "executeCounted";

    /**
     * {@code executeWithContext(packet[, ctx])}: runs a packet program as {@code execute(packet)} does, with the
     * context fields {@code ctx} (the raw bytes of {@code struct __sk_buff} or {@code struct xdp_md}, as
     * BPF_PROG_TEST_RUN's ctx_in; omitted or null: {@code bpf.ContextIn}), and returns {@code [r0, ctxOut]}: the
     * context as ctx_out reports it after the run (mark, priority, cb[] and tstamp as the program left them), or
     * null without a context input.
     */
    static final String EXECUTE_WITH_CONTEXT = "executeWithContext";

    /**
     * {@code executeBatch(inputs)}: one run per element of {@code inputs} (each what {@code execute} takes as its
     * one argument: bytes, a buffer, or null), in one call from the host; returns the array of r0s. The first
     * failing run stops the batch with its error.
     */
    static final String EXECUTE_BATCH = "executeBatch";

    /**
     * {@code executeRepeated(input, n)}: {@code n} runs over the same input bytes, as BPF_PROG_TEST_RUN's
     * {@code repeat} does; each run starts from the input as given (what one run writes, the next does not see).
     * Returns the last run's r0. The input is read once, so the host boundary is crossed once for all runs.
     */
    static final String EXECUTE_REPEATED = "executeRepeated";

    @ExportMessage
    boolean isMemberInvocable(String member) {
        return member.equals(WITH_TAIL_CALL_ABI) || member.equals(EXECUTE_COUNTED) || member.equals(EXECUTE_WITH_CONTEXT) || member.equals(EXECUTE_BATCH)
                        || member.equals(EXECUTE_REPEATED) || member.equals(SET_TUNNEL) || member.equals(KERNEL_BENCHMARK) && kernelCode != null
                        || member.equals(JIT_BENCHMARK) && nativeCode != null;
    }

    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] arguments) throws UnknownIdentifierException, ArityException,
                    UnsupportedTypeException {
        if (member.equals(EXECUTE_COUNTED)) {
            long[] executed = new long[1];
            Object r0 = runWith(arguments, executed);
            return new InteropArray(r0, executed[0]);
        }
        if (member.equals(EXECUTE_WITH_CONTEXT)) {
            return executeWithContext(arguments);
        }
        if (member.equals(SET_TUNNEL)) {
            return setTunnel(arguments);
        }
        if (member.equals(EXECUTE_BATCH)) {
            return executeBatch(arguments);
        }
        if (member.equals(EXECUTE_REPEATED)) {
            return executeRepeated(arguments);
        }
        if (member.equals(JIT_BENCHMARK) && nativeCode != null) {
            return jitBenchmark(arguments);
        }
        if (member.equals(KERNEL_BENCHMARK) && kernelCode != null) {
            if (arguments.length != 2) {
                throw ArityException.create(2, 2, arguments.length);
            }
            try {
                byte[] packet = InteropBytes.bytesOf(arguments[0]);
                int repeat = InteropLibrary.getUncached().asInt(arguments[1]);
                byte[] contextIn = context.contextIn();
                if (contextIn != null) {
                    checkContextInput(packet.length, false, contextIn);
                }
                return kernelCode.benchmarkNanos(packet, contextIn, repeat);
            } catch (UnsupportedMessageException e) {
                throw UnsupportedTypeException.create(arguments, "expected packet bytes and a repeat count");
            } catch (BpfError error) {
                throw BpfGuestException.of(error, null);
            }
        }
        if (!member.equals(WITH_TAIL_CALL_ABI)) {
            throw UnknownIdentifierException.create(member);
        }
        if (arguments.length != 1) {
            throw ArityException.create(1, 1, arguments.length);
        }
        TailCallAbi abi = null;
        try {
            abi = TailCallAbi.byName(InteropLibrary.getUncached().asString(arguments[0]));
        } catch (UnsupportedMessageException e) {
            // reported below
        }
        if (abi == null) {
            throw UnsupportedTypeException.create(arguments, "expected counter-by-value or shared");
        }
        if (nativeCode != null && abi != nativeCode.tailCallAbi()) {
            // Native code implements one ABI, exactly as the kernel lays it out; mixing ABIs would need both.
            throw UnsupportedTypeException.create(arguments, "the native engine compiled '" + program.name() + "' for the " + nativeCode.tailCallAbi().optionName()
                            + " tail-call ABI; use a context with bpf.TailCallAbi=" + abi.optionName());
        }
        RunOptions o = runOptions;
        return new BpfProgram(program, entries, nativeCode, kernelCode, maps, context, new RunOptions(o.instructionLimit(), abi, o.seed(), o.cpus(), o.cpu()));
    }

    private Object executeBatch(Object[] arguments) throws ArityException, UnsupportedTypeException {
        if (arguments.length != 1) {
            throw ArityException.create(1, 1, arguments.length);
        }
        InteropLibrary interop = InteropLibrary.getUncached(arguments[0]);
        if (!interop.hasArrayElements(arguments[0])) {
            throw UnsupportedTypeException.create(arguments, "expected an array of inputs");
        }
        try {
            long size = interop.getArraySize(arguments[0]);
            if (size > Integer.MAX_VALUE - 8) {
                throw UnsupportedTypeException.create(arguments, "at most " + (Integer.MAX_VALUE - 8) + " inputs per batch");
            }
            Object[] results = new Object[(int) size];
            Object[] one = new Object[1];
            inOneBlockedSection(() -> {
                for (int i = 0; i < results.length; i++) {
                    try {
                        one[0] = interop.readArrayElement(arguments[0], i);
                    } catch (UnsupportedMessageException | InvalidArrayIndexException e) {
                        throw UnsupportedTypeException.create(arguments, "the array of inputs changed size during the batch");
                    }
                    results[i] = runWith(one, null);
                }
                return null;
            });
            return new InteropArray(results);
        } catch (UnsupportedMessageException e) {
            throw UnsupportedTypeException.create(arguments, "the array of inputs changed size during the batch");
        }
    }

    /** A batch of runs that may throw what a run throws. */
    private interface Batch {
        Object runAll() throws ArityException, UnsupportedTypeException;
    }

    /**
     * Runs {@code batch}; on the native engine inside one blocked section for all its runs, as
     * BPF_PROG_TEST_RUN's repeat enters the program's code once (a blocked section per run costs more than a
     * short program's run, and Truffle allocates in it). The host can still stop the batch: its request sets
     * the cancel flag, which the next poll of whichever run is in progress finds.
     */
    private Object inOneBlockedSection(Batch batch) throws ArityException, UnsupportedTypeException {
        CancelInterrupter interrupter = nativeCode == null ? null : ofThread.get().interrupter();
        if (interrupter == null || interrupter.inBatch()) {
            return batch.runAll();
        }
        Object[] result = new Object[1];
        Throwable[] checked = new Throwable[1];
        interrupter.flag().clear();
        interrupter.setInBatch(true);
        try {
            TruffleSafepoint.getCurrent().setBlocked(location, interrupter, b -> {
                try {
                    result[0] = b.runAll();
                } catch (ArityException | UnsupportedTypeException e) {
                    checked[0] = e;
                }
            }, batch, null, null);
        } finally {
            interrupter.setInBatch(false);
        }
        if (checked[0] instanceof ArityException e) {
            throw e;
        }
        if (checked[0] instanceof UnsupportedTypeException e) {
            throw e;
        }
        return result[0];
    }

    private Object executeRepeated(Object[] arguments) throws ArityException, UnsupportedTypeException {
        if (arguments.length != 2) {
            throw ArityException.create(2, 2, arguments.length);
        }
        byte[] input;
        long repeat;
        try {
            input = InteropLibrary.getUncached().isNull(arguments[0]) ? null : InteropBytes.bytesOf(arguments[0]);
            repeat = InteropLibrary.getUncached().asLong(arguments[1]);
        } catch (UnsupportedMessageException e) {
            throw UnsupportedTypeException.create(arguments, "expected input bytes and a repeat count");
        }
        if (repeat < 1) {
            throw UnsupportedTypeException.create(arguments, "the repeat count must be at least 1, not " + repeat);
        }
        byte[] contextIn = context.contextIn();
        byte[] bytes = input;
        long times = repeat;
        return inOneBlockedSection(() -> run(bytes, null, null, null, contextIn, null, null, times));
    }

    private Object executeWithContext(Object[] arguments) throws ArityException, UnsupportedTypeException {
        if (arguments.length < 1 || arguments.length > 2) {
            throw ArityException.create(1, 2, arguments.length);
        }
        byte[] contextIn = context.contextIn();
        if (arguments.length == 2 && !InteropLibrary.getUncached().isNull(arguments[1])) {
            try {
                contextIn = InteropBytes.bytesOf(arguments[1]);
            } catch (UnsupportedMessageException e) {
                contextIn = null;
            }
            if (contextIn == null) {
                throw UnsupportedTypeException.create(arguments, "expected the context's bytes (struct __sk_buff or struct xdp_md) as the second argument");
            }
        }
        int size = ContextInput.structSize(program.type());
        byte[] contextOut = contextIn == null || size < 0 ? null : new byte[size];
        Object r0 = runWith(new Object[] {arguments[0]}, null, contextIn, contextOut);
        return new InteropArray(r0, contextOut == null ? NullValue.INSTANCE : new ByteBufferObject(contextOut));
    }

    @TruffleBoundary
    private String uncheckedCode() {
        return nativeCode.disassembleUnchecked();
    }

    @ExportMessage
    boolean isMemberReadable(String member) {
        return member.equals("name") || member.equals("type") || member.equals("section") || member.equals(NATIVE_CODE)
                        || member.equals(NATIVE_CODE_WITH_STUBS) || member.equals(UNCHECKED_NATIVE_CODE) || member.equals(KERNEL_LOG) || member.equals(KERNEL_BTF) || member.equals(REDIRECT)
                        || member.equals(CLONES) || member.equals(TUNNEL);
    }

    @ExportMessage
    @TruffleBoundary
    Object readMember(String member) throws UnknownIdentifierException {
        return switch (member) {
            case "name" -> program.name();
            case "type" -> program.type().name().toLowerCase(Locale.ROOT);
            case "section" -> program.section() == null ? "" : program.section();
            case NATIVE_CODE -> nativeCode == null ? NullValue.INSTANCE : nativeCode.disassemble(false);
            case NATIVE_CODE_WITH_STUBS -> nativeCode == null ? NullValue.INSTANCE : nativeCode.disassemble(true);
            case UNCHECKED_NATIVE_CODE -> {
                String unchecked = nativeCode == null ? null : uncheckedCode();
                yield unchecked == null ? NullValue.INSTANCE : unchecked;
            }
            case KERNEL_LOG -> kernelCode == null ? NullValue.INSTANCE : kernelCode.verifierLog();
            case KERNEL_BTF -> kernelCode == null ? NullValue.INSTANCE : kernelCode.btfStatus();
            case REDIRECT -> lastRedirect();
            case CLONES -> lastClones();
            case TUNNEL -> lastTunnel();
            default -> throw UnknownIdentifierException.create(member);
        };
    }

    @ExportMessage
    @TruffleBoundary
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return "bpf program " + program.name();
    }
}
