package org.trufflebpf.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code bpf} command running on its own thread while a test talks to it (a debugger server it opened), with
 * the output it printed so far. Sockets time out, so that a server that never answers fails the test instead of
 * hanging the build.
 */
final class BackgroundRun {
    static final int SOCKET_TIMEOUT_MILLIS = 60_000;

    record Result(int exit, String out, String err) {
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private BackgroundRun() {
    }

    static BackgroundRun start(String... args) {
        BackgroundRun run = new BackgroundRun();
        Thread thread = new Thread(() -> {
            try {
                run.exit.complete(BpfCommand.run(args, new PrintStream(run.out, true, StandardCharsets.UTF_8), new PrintStream(run.err, true, StandardCharsets.UTF_8)));
            } catch (Throwable t) {
                run.exit.completeExceptionally(t);
            }
        }, "bpf " + String.join(" ", args));
        thread.setDaemon(true);
        thread.start();
        return run;
    }

    /** A loopback port nobody listens on now (the server binds it a moment later). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Connects to the server the run opens on the port, retrying while the engine starts. */
    static Socket connect(int port, BackgroundRun run) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SOCKET_TIMEOUT_MILLIS);
        while (true) {
            try {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                return socket;
            } catch (IOException e) {
                if (run.exit.isDone() || System.nanoTime() > deadline) {
                    throw new AssertionError("no server on port " + port + ": " + run.snapshot(), e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** What the run printed to stderr so far. */
    String err() {
        return err.toString(StandardCharsets.UTF_8); // ByteArrayOutputStream is synchronized
    }

    /** Waits until what the run printed to stderr satisfies the test (a server's address), and returns it. */
    String awaitErr(Predicate<String> ready) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SOCKET_TIMEOUT_MILLIS);
        while (!ready.test(err())) {
            if (exit.isDone() || System.nanoTime() > deadline) {
                throw new AssertionError("the run did not print what the test waits for: " + snapshot());
            }
            Thread.sleep(50);
        }
        return err();
    }

    Result await() throws Exception {
        int code = exit.get(SOCKET_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String snapshot() {
        return "exit " + (exit.isDone() ? exit.getNow(null) : "(running)") + ", out: " + out.toString(StandardCharsets.UTF_8) + ", err: " + err();
    }
}
