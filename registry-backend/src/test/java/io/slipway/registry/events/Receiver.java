package io.slipway.registry.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real HTTP receiver of webhooks on 127.0.0.1: keeps every request (body, signature header), can
 * answer failures for a while and take its time answering, as a slow or broken service would.
 */
final class Receiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Received(byte[] body, String signature, String contentType, JsonNode event) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    private final HttpServer server;
    volatile int status = 200;
    volatile long delayMillis;

    Receiver() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            try {
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int answer = status;
            if (answer == 200) {
                received.add(new Received(body, exchange.getRequestHeaders().getFirst(Deliverer.SIGNATURE_HEADER),
                        exchange.getRequestHeaders().getFirst("Content-Type"), JSON.readTree(body)));
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Waits until {@code done} holds for what was received (a deadline for a slow machine, not a timing). */
    boolean await(Predicate<List<Received>> done, Duration deadline) throws InterruptedException {
        Instant end = Instant.now().plus(deadline);
        while (Instant.now().isBefore(end)) {
            if (done.test(received)) {
                return true;
            }
            Thread.sleep(100);
        }
        return done.test(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
