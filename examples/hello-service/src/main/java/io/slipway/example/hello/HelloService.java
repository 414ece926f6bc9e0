package io.slipway.example.hello;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The example service: answers {@code GET /} with a greeting and logs each request through Log4j
 * (the dependency whose version the Vulnerability Advisor judges). Port from {@code PORT}, 8080 by default.
 */
public final class HelloService {
    private static final Logger LOG = LogManager.getLogger(HelloService.class);

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        String greeting = System.getenv().getOrDefault("GREETING", "Hello from Slipway's example service");
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", exchange -> {
            // The request's User-Agent reaches the log as data: with log4j-core 2.14.1 a
            // "${jndi:ldap://…}" in it is looked up (CVE-2021-44228); 2.17.1 does not.
            LOG.info("{} {} from {}", exchange.getRequestMethod(), exchange.getRequestURI(),
                    exchange.getRequestHeaders().getFirst("User-Agent"));
            byte[] body = (greeting + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        LOG.info("listening on port {}", port);
    }
}
