package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An editor's session with {@code bpf run --dap}: the test is the client and speaks the Debug Adapter Protocol
 * (Content-Length framed JSON over TCP) to GraalVM's DAP server, through examples/c/xdp_parser.c with the
 * README's TCP packet to port 23 (54 bytes).
 */
class DapSessionTest {
    private static final Path EXAMPLES = Path.of("..", "examples", "c").toAbsolutePath().normalize();
    static final String TCP_TO_PORT_23 = "00000000000200000000000108004500002800000000400600000a0000010a00000230390017000000000000000050020000ffff0000";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void breakpointOnACLineStopsWithRegistersStackAndMapThenNextStepsLineByLineAndContinueFinishesTheRun() throws Exception {
        int port = BackgroundRun.freePort();
        Path cFile = EXAMPLES.resolve("xdp_parser.c");
        BackgroundRun run = BackgroundRun.start("run", EXAMPLES.resolve("xdp_parser.o").toString(), "--packet", TCP_TO_PORT_23, "--dap=127.0.0.1:" + port);
        try (Socket socket = BackgroundRun.connect(port, run)) {
            Dap dap = new Dap(socket);
            Object capabilities = dap.request("initialize", Map.of("adapterID", "trufflebpf-test", "linesStartAt1", true, "columnsStartAt1", true, "pathFormat", "path"));
            assertEquals(Boolean.TRUE, TestJson.at(capabilities, "body", "supportsConfigurationDoneRequest"), capabilities.toString());
            dap.request("attach", Map.of());
            Object set = dap.request("setBreakpoints", Map.of("source", Map.of("path", cFile.toString()), "breakpoints", List.of(Map.of("line", 34))));
            assertEquals(34L, TestJson.at(set, "body", "breakpoints", 0, "line"), set.toString());
            dap.request("configurationDone", null);

            // The run stops at the program's first line (dap.Suspend), the function's opening line 20.
            long thread = (Long) TestJson.at(dap.event("stopped"), "body", "threadId");
            assertEquals(20, dap.topLine(thread));
            dap.request("continue", Map.of("threadId", thread));

            Object stopped = dap.event("stopped");
            assertEquals("breakpoint", TestJson.at(stopped, "body", "reason"), stopped.toString());
            Map<String, Object> top = dap.topFrame(thread);
            assertEquals(34L, top.get("line"));
            assertEquals(cFile.toString(), TestJson.at(top, "source", "path"));
            Map<String, String> registers = dap.variables(top);
            assertNotEquals("0", registers.get("r0"), "r0 holds the address bpf_map_lookup_elem found: " + registers);
            assertEquals(TCP_TO_PORT_23.length() / 2, Long.parseLong(registers.get("r7")) - Long.parseLong(registers.get("r6")), "r6 is the packet's start and r7 its end: " + registers);
            assertTrue(registers.get("stack").matches("\\[\\d+ elements\\]"), "the stack shows as a list of bytes: " + registers);
            List<String> stack = dap.children(top, "stack");
            assertEquals(List.of("6", "0", "0", "0"), stack.subList(stack.size() - 4, stack.size()), "the lookup's key, IPPROTO_TCP, at r10-4");
            assertEquals("0", dap.children(top, "proto_counts").get(6), "before line 35 the TCP counter is 0");

            dap.request("next", Map.of("threadId", thread));
            dap.event("stopped");
            assertEquals(35, dap.topLine(thread), "step over reaches the atomic add of line 35");
            dap.request("next", Map.of("threadId", thread));
            dap.event("stopped");
            Map<String, Object> afterAdd = dap.topFrame(thread);
            assertEquals(36L, afterAdd.get("line"));
            assertEquals("1", dap.children(afterAdd, "proto_counts").get(6), "after line 35 proto_counts[6] is 1");

            dap.request("continue", Map.of("threadId", thread));
            dap.event("terminated");
        }
        BackgroundRun.Result result = run.await();
        assertEquals(0, result.exit(), result.toString());
        assertTrue(result.out().contains("r0 = 1 (0x1) XDP_DROP"), "the program's result as without a debugger: " + result);
    }

    /** A DAP client: requests wait for their response; events seen meanwhile are kept for {@link #event}. */
    private static final class Dap {
        private final InputStream in;
        private final OutputStream out;
        private final List<Object> pending = new ArrayList<>();
        private final List<Object> transcript = new ArrayList<>();
        private int seq;

        Dap(Socket socket) throws IOException {
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        Object request(String command, Object arguments) throws IOException {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("seq", ++seq);
            message.put("type", "request");
            message.put("command", command);
            if (arguments != null) {
                message.put("arguments", arguments);
            }
            byte[] body = TestJson.write(message).getBytes(StandardCharsets.UTF_8);
            out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            long id = seq;
            Object response = next(m -> "response".equals(TestJson.at(m, "type")) && Long.valueOf(id).equals(TestJson.at(m, "request_seq")));
            assertEquals(Boolean.TRUE, TestJson.at(response, "success"), command + " failed: " + response);
            return response;
        }

        Object event(String name) throws IOException {
            return next(m -> "event".equals(TestJson.at(m, "type")) && name.equals(TestJson.at(m, "event")));
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> topFrame(long thread) throws IOException {
            return (Map<String, Object>) TestJson.at(request("stackTrace", Map.of("threadId", thread)), "body", "stackFrames", 0);
        }

        int topLine(long thread) throws IOException {
            return ((Long) topFrame(thread).get("line")).intValue();
        }

        /** The frame's first scope's variables, name to value. */
        Map<String, String> variables(Map<String, Object> frame) throws IOException {
            Map<String, String> values = new LinkedHashMap<>();
            for (Object variable : variablesOf(scopeReference(frame))) {
                values.put((String) TestJson.at(variable, "name"), (String) TestJson.at(variable, "value"));
            }
            return values;
        }

        /** The element values of a structured variable of the frame's first scope (the stack's bytes, a map's slots). */
        List<String> children(Map<String, Object> frame, String name) throws IOException {
            Object variable = variablesOf(scopeReference(frame)).stream().filter(v -> name.equals(TestJson.at(v, "name"))).findFirst()
                            .orElseThrow(() -> new AssertionError("no variable " + name + " in " + transcript));
            long reference = (Long) TestJson.at(variable, "variablesReference");
            assertNotEquals(0L, reference, name + " has no children: " + variable);
            List<String> values = new ArrayList<>();
            for (Object child : variablesOf(reference)) {
                values.add((String) TestJson.at(child, "value"));
            }
            return values;
        }

        private long scopeReference(Map<String, Object> frame) throws IOException {
            Object scopes = request("scopes", Map.of("frameId", frame.get("id")));
            return (Long) TestJson.at(scopes, "body", "scopes", 0, "variablesReference");
        }

        @SuppressWarnings("unchecked")
        private List<Object> variablesOf(long reference) throws IOException {
            return (List<Object>) TestJson.at(request("variables", Map.of("variablesReference", reference)), "body", "variables");
        }

        private Object next(Predicate<Object> wanted) throws IOException {
            for (int i = 0; i < pending.size(); i++) {
                if (wanted.test(pending.get(i))) {
                    return pending.remove(i);
                }
            }
            while (true) {
                Object message = read();
                if (wanted.test(message)) {
                    return message;
                }
                pending.add(message);
            }
        }

        private Object read() throws IOException {
            int length = -1;
            String header;
            while (!(header = line()).isEmpty()) {
                if (header.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring("content-length:".length()).strip());
                }
            }
            if (length < 0) {
                throw new AssertionError("a DAP message without Content-Length; so far: " + transcript);
            }
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new AssertionError("the DAP server closed the connection; so far: " + transcript);
            }
            Object message = TestJson.parse(new String(body, StandardCharsets.UTF_8));
            transcript.add(message);
            return message;
        }

        private String line() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new AssertionError("the DAP server closed the connection; so far: " + transcript);
                }
                bytes.write(b);
            }
            return bytes.toString(StandardCharsets.US_ASCII).strip();
        }
    }
}
