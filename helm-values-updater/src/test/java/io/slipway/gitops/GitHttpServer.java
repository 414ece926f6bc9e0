package io.slipway.gitops;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.transport.resolver.FileResolver;

/**
 * JGit's smart-HTTP GitServlet on embedded Jetty, bound to 127.0.0.1, serving the bare
 * repositories under one folder. Every request needs HTTP Basic credentials from {@code users};
 * pushes are allowed to any authenticated user (JGit's default receive-pack rule).
 */
public final class GitHttpServer implements AutoCloseable {
    private final Server server;
    final AtomicInteger refusedLogins = new AtomicInteger();
    /** Every Authorization header that reached this server, in order. */
    final java.util.List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();

    public GitHttpServer(Path repositories, Map<String, String> users) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        GitServlet git = new GitServlet();
        git.setRepositoryResolver(new FileResolver<>(repositories.toFile(), true));
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(git), "/git/*");
        context.addFilter(new FilterHolder(new BasicAuth(users, refusedLogins, authorizations)), "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
    }

    public String url(String repository) {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return "http://127.0.0.1:" + port + "/git/" + repository;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** HTTP Basic: 401 with a challenge unless the user and password match; passes the user on. */
    private record BasicAuth(Map<String, String> users, AtomicInteger refused, java.util.List<String> seen) implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest http = (HttpServletRequest) req;
            String header = http.getHeader("Authorization");
            if (header != null) {
                seen.add(header);
            }
            if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
                String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                String user = colon < 0 ? decoded : decoded.substring(0, colon);
                String password = colon < 0 ? "" : decoded.substring(colon + 1);
                if (password.equals(users.get(user))) {
                    chain.doFilter(new HttpServletRequestWrapper(http) {
                        @Override
                        public String getRemoteUser() {
                            return user;
                        }

                        @Override
                        public String getAuthType() {
                            return HttpServletRequest.BASIC_AUTH;
                        }
                    }, res);
                    return;
                }
                refused.incrementAndGet();
            }
            HttpServletResponse response = (HttpServletResponse) res;
            response.setHeader("WWW-Authenticate", "Basic realm=\"git\"");
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
        }
    }
}
