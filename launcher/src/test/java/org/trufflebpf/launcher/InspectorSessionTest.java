package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chrome DevTools' session with {@code bpf run --inspect}: the test is the front end and speaks the Chrome
 * DevTools Protocol over WebSocket to GraalVM's inspector, through examples/c/xdp_parser.c with the README's TCP
 * packet to port 23. CDP lines are 0-based: C line 34 is lineNumber 33.
 */
class InspectorSessionTest {
    private static final Path EXAMPLES = Path.of("..", "examples", "c").toAbsolutePath().normalize();
    private static final Pattern WS_URL = Pattern.compile("ws://[^\\s]+");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void breakpointByUrlOnACLinePausesThereWithRegistersInTheScopeAndStepOverWalksTheNextLines() throws Exception {
        int port = BackgroundRun.freePort();
        Path cFile = EXAMPLES.resolve("xdp_parser.c");
        BackgroundRun run = BackgroundRun.start("run", EXAMPLES.resolve("xdp_parser.o").toString(), "--packet", DapSessionTest.TCP_TO_PORT_23,
                        "--inspect=127.0.0.1:" + port);
        Matcher url = WS_URL.matcher(run.awaitErr(text -> WS_URL.matcher(text).find()));
        assertTrue(url.find() && url.group().startsWith("ws://127.0.0.1:" + port + "/"), "the inspector prints its ws:// URL: " + run.err());
        Cdp cdp = new Cdp(URI.create(url.group()));
        try {
            cdp.call("Runtime.enable", Map.of());
            cdp.call("Debugger.enable", Map.of());
            Object breakpoint = cdp.call("Debugger.setBreakpointByUrl", Map.of("url", cFile.toUri().toString(), "lineNumber", 33));
            assertTrue(TestJson.at(breakpoint, "result", "breakpointId") instanceof String, breakpoint.toString());
            cdp.call("Runtime.runIfWaitingForDebugger", Map.of());

            // The run waits at the program's first line (inspect.Suspend): the function's opening line 20.
            Object first = cdp.event("Debugger.paused");
            assertEquals(19L, TestJson.at(first, "params", "callFrames", 0, "location", "lineNumber"), first.toString());
            Object script = cdp.event(m -> "Debugger.scriptParsed".equals(TestJson.at(m, "method"))
                            && TestJson.at(m, "params", "scriptId").equals(TestJson.at(first, "params", "callFrames", 0, "location", "scriptId")));
            assertEquals(cFile.toUri().toString(), TestJson.at(script, "params", "url"), "the paused script is the C file");
            cdp.call("Debugger.resume", Map.of());

            Object paused = cdp.event("Debugger.paused");
            assertEquals(33L, TestJson.at(paused, "params", "callFrames", 0, "location", "lineNumber"), paused.toString());
            assertEquals(1, ((List<?>) TestJson.at(paused, "params", "hitBreakpoints")).size(), "paused by the breakpoint: " + paused);
            Map<String, Object> scope = cdp.properties(TestJson.at(paused, "params", "callFrames", 0, "scopeChain", 0, "object", "objectId"));
            assertNotEquals(0L, number(scope, "r0"), "r0 holds the address bpf_map_lookup_elem found: " + scope);
            assertEquals(DapSessionTest.TCP_TO_PORT_23.length() / 2, number(scope, "r7") - number(scope, "r6"), "r6 is the packet's start and r7 its end: " + scope);
            Map<String, Object> stack = cdp.properties(TestJson.at(scope.get("stack"), "objectId"));
            int size = stack.keySet().stream().filter(key -> key.matches("\\d+")).mapToInt(Integer::parseInt).max().orElseThrow() + 1;
            assertEquals(List.of(6L, 0L, 0L, 0L), List.of(number(stack, "" + (size - 4)), number(stack, "" + (size - 3)), number(stack, "" + (size - 2)), number(stack, "" + (size - 1))),
                            "the lookup's key, IPPROTO_TCP, at r10-4");
            assertEquals(0L, number(cdp.properties(TestJson.at(scope.get("proto_counts"), "objectId")), "6"), "before line 35 the TCP counter is 0");

            cdp.call("Debugger.stepOver", Map.of());
            assertEquals(34L, TestJson.at(cdp.event("Debugger.paused"), "params", "callFrames", 0, "location", "lineNumber"), "step over reaches line 35");
            cdp.call("Debugger.stepOver", Map.of());
            Object atLine36 = cdp.event("Debugger.paused");
            assertEquals(35L, TestJson.at(atLine36, "params", "callFrames", 0, "location", "lineNumber"), "and then line 36");
            Map<String, Object> after = cdp.properties(TestJson.at(atLine36, "params", "callFrames", 0, "scopeChain", 0, "object", "objectId"));
            assertEquals(1L, number(cdp.properties(TestJson.at(after.get("proto_counts"), "objectId")), "6"), "after line 35 proto_counts[6] is 1");
            cdp.call("Debugger.resume", Map.of());
            BackgroundRun.Result result = run.await();
            assertEquals(0, result.exit(), result.toString());
            assertTrue(result.out().contains("r0 = 1 (0x1) XDP_DROP"), "the program's result as without a debugger: " + result);
        } finally {
            cdp.close();
        }
    }

    /** A numeric property's value (CDP sends numbers as JSON numbers, or as a description for big ones). */
    private static long number(Map<String, Object> properties, String name) {
        Object value = properties.get(name);
        Object raw = TestJson.at(value, "value");
        if (raw instanceof Number n) {
            return n.longValue();
        }
        Object description = TestJson.at(value, "description");
        if (description instanceof String s) {
            return Long.parseLong(s);
        }
        throw new AssertionError("no number " + name + " in " + properties);
    }

    /** A CDP client over java.net.http's WebSocket: calls wait for their result; events are kept for {@link #event}. */
    private static final class Cdp implements WebSocket.Listener {
        private final BlockingQueue<Object> incoming = new LinkedBlockingQueue<>();
        private final List<Object> pending = new ArrayList<>();
        private final List<Object> transcript = new ArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private final HttpClient client = HttpClient.newHttpClient();
        private final WebSocket socket;
        private int id;

        Cdp(URI uri) throws Exception {
            socket = client.newWebSocketBuilder().buildAsync(uri, this).get(BackgroundRun.SOCKET_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                incoming.add(TestJson.parse(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        Object call(String method, Map<String, Object> params) throws Exception {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("id", ++id);
            message.put("method", method);
            message.put("params", params);
            socket.sendText(TestJson.write(message), true).get(BackgroundRun.SOCKET_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            long callId = id;
            Object response = event(m -> Long.valueOf(callId).equals(TestJson.at(m, "id")));
            assertEquals(null, TestJson.at(response, "error"), method + " failed: " + response);
            return response;
        }

        Object event(String method) throws InterruptedException {
            return event(m -> method.equals(TestJson.at(m, "method")));
        }

        Object event(Predicate<Object> wanted) throws InterruptedException {
            for (int i = 0; i < pending.size(); i++) {
                if (wanted.test(pending.get(i))) {
                    return pending.remove(i);
                }
            }
            while (true) {
                Object message = incoming.poll(BackgroundRun.SOCKET_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                if (message == null) {
                    throw new AssertionError("the inspector sent nothing more; so far: " + transcript);
                }
                transcript.add(message);
                if (wanted.test(message)) {
                    return message;
                }
                pending.add(message);
            }
        }

        /** An object's own properties (a scope, the stack, a map), name to its RemoteObject. */
        @SuppressWarnings("unchecked")
        Map<String, Object> properties(Object objectId) throws Exception {
            assertTrue(objectId instanceof String, "an object id, not " + objectId);
            Object response = call("Runtime.getProperties", Map.of("objectId", objectId, "ownProperties", true));
            Map<String, Object> properties = new LinkedHashMap<>();
            for (Object property : (List<Object>) TestJson.at(response, "result", "result")) {
                properties.put((String) TestJson.at(property, "name"), TestJson.at(property, "value"));
            }
            return properties;
        }

        void close() {
            socket.abort();
            client.close();
        }
    }
}
