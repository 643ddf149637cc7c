package org.trufflebpf.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.junit.jupiter.api.Test;

import com.oracle.truffle.api.debug.Breakpoint;
import com.oracle.truffle.api.debug.DebugScope;
import com.oracle.truffle.api.debug.DebugValue;
import com.oracle.truffle.api.debug.Debugger;
import com.oracle.truffle.api.debug.DebuggerSession;
import com.oracle.truffle.api.debug.SuspendedEvent;

/**
 * Truffle's debugger, driven in-process through its API, stops in examples/c/xdp_parser.c at a C line, shows the
 * registers, the stack and the maps there, and steps over to the next lines. The packet is the README's: TCP
 * to port 23 (60 bytes).
 */
class DebuggerTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final byte[] PACKET = HexFormat.of().parseHex("00000000000200000000000108004500002800000000400600000a0000010a0000023039001700"
                    + "0000000000000050020000ffff0000");

    /** What the debugger showed at one pause. */
    private record Pause(int line, String lineText, long r0, long r6, long r7, long r10, int protoOnStack, long tcpCount, int stackSize) {
    }

    @Test
    void breakpointOnACLineStopsThereWithRegistersStackAndMapsAndStepOverReachesTheNextLines() throws IOException {
        List<Pause> pauses = new ArrayList<>();
        Path cFile = ROOT.resolve("examples/c/xdp_parser.c");
        try (Engine engine = Engine.newBuilder("bpf").option("engine.WarnInterpreterOnly", "false").build();
                        Context context = Context.newBuilder("bpf").engine(engine).allowIO(IOAccess.ALL).build();
                        DebuggerSession session = Debugger.find(engine).startSession(event -> {
                            pauses.add(pause(event));
                            if (pauses.size() < 3) {
                                event.prepareStepOver(1);
                            }
                        })) {
            // Line 34: "if (count)", right after the map lookup of line 33.
            session.install(Breakpoint.newBuilder(cFile.toUri()).lineIs(34).build());
            Value module = context.eval(Source.newBuilder("bpf", new File(ROOT.resolve("examples/c/xdp_parser.o").toString())).build());
            assertEquals(1, module.getMember("xdp_parse").execute((Object) PACKET).asLong(), "XDP_DROP, as without a debugger");
        }
        assertEquals(List.of(34, 35, 36), pauses.stream().map(Pause::line).toList(), "the breakpoint's line, then one line per step over");
        Pause atBreakpoint = pauses.get(0);
        assertEquals("if (count)", atBreakpoint.lineText().strip());
        assertNotEquals(0, atBreakpoint.r0(), "r0 holds the value bpf_map_lookup_elem found");
        assertEquals(PACKET.length, atBreakpoint.r7() - atBreakpoint.r6(), "r6 is the packet's start and r7 its end");
        assertEquals(6, atBreakpoint.protoOnStack(), "the lookup's key, IPPROTO_TCP, lies at r10-4");
        assertTrue(atBreakpoint.r10() != 0 && atBreakpoint.stackSize() > 0);
        assertEquals(0, atBreakpoint.tcpCount(), "before line 35 the TCP counter is 0");
        assertEquals(0, pauses.get(1).tcpCount(), "paused at line 35, before its atomic add");
        assertEquals(1, pauses.get(2).tcpCount(), "after line 35 proto_counts[6] is 1");
    }

    private static Pause pause(SuspendedEvent event) {
        DebugScope scope = event.getTopStackFrame().getScope();
        DebugValue stack = scope.getDeclaredValue("stack");
        List<DebugValue> bytes = stack.getArray();
        int size = bytes.size();
        // The u32 key at r10-4, little-endian.
        int proto = 0;
        for (int i = 0; i < 4; i++) {
            proto |= bytes.get(size - 4 + i).asInt() << (8 * i);
        }
        long tcpCount = scope.getDeclaredValue("proto_counts").getArray().get(6).asLong();
        return new Pause(event.getSourceSection().getStartLine(), event.getSourceSection().getCharacters().toString(), register(scope, 0),
                        register(scope, 6), register(scope, 7), register(scope, 10), proto, tcpCount, size);
    }

    private static long register(DebugScope scope, int r) {
        return scope.getDeclaredValue("r" + r).asLong();
    }
}
