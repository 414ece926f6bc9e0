package io.slipway.jenkins;

import hudson.model.TaskListener;
import java.io.ByteArrayOutputStream;
import java.io.ObjectStreamException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A build log. Jenkins remotes a listener to the agent; here a listener that is serialized (with a
 * callable sent "to the agent", or with a saved execution) comes back as the same listener, so what
 * is written there still lands in this log. A {@link #remoted()} one comes back as the agent's end
 * of a remoted listener: what is written there reaches this log only when that end is flushed.
 */
final class TestListener implements TaskListener {
    private static final Map<String, TestListener> LIVE = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();
    private final ByteArrayOutputStream bytes;
    private final PrintStream logger;
    private boolean remoted;

    TestListener() {
        this(new ByteArrayOutputStream(), null);
    }

    private TestListener(ByteArrayOutputStream bytes, OutputStream decorated) {
        this.bytes = bytes;
        this.logger = new PrintStream(decorated != null ? decorated : bytes, true, StandardCharsets.UTF_8);
        LIVE.put(id, this);
    }

    /** The same log, written through a decorated stream (a body's log with its ConsoleLogFilter). */
    TestListener through(OutputStream decorated) {
        return new TestListener(bytes, decorated);
    }

    /** Serialized, this listener comes back as a buffering agent-side end, as remoting's does. */
    TestListener remoted() {
        remoted = true;
        return this;
    }

    OutputStream raw() {
        return logger;
    }

    @Override
    public PrintStream getLogger() {
        return logger;
    }

    String text() {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private Object writeReplace() throws ObjectStreamException {
        return new Handle(id, remoted);
    }

    private record Handle(String id, boolean remoted) implements Serializable {
        private Object readResolve() throws ObjectStreamException {
            TestListener local = LIVE.get(id);
            return remoted ? new AgentEnd(local) : local;
        }
    }

    /** The agent's end of a remoted listener: a stream that sends on flush, not at each line. */
    private static final class AgentEnd implements TaskListener {
        private static final long serialVersionUID = 1L;
        private final transient PrintStream logger;

        AgentEnd(TestListener controller) {
            this.logger = new PrintStream(new java.io.BufferedOutputStream(controller.logger, 64 * 1024), false,
                    StandardCharsets.UTF_8);
        }

        @Override
        public PrintStream getLogger() {
            return logger;
        }
    }
}
