package io.slipway.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The server process's log format ({@code log.format}, {@code --log-format}): text lines (logback.xml)
 * or one JSON object per line for a log pipeline — time, level, logger, thread, message, the
 * request's {@code requestId} (MDC) and the key-value pairs of the line (a request line's route,
 * status, bytes). Process-wide, so set once by the command that runs the registry, not by the
 * registry itself (a JVM may run several).
 */
final class Logs {
    private Logs() {
    }

    /** Switches the process's log to {@code format} ({@code text} or {@code json}) and routes java.util.logging to it. */
    static void use(String format) {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        if (format.equals("text")) {
            return; // logback.xml's
        }
        if (!format.equals("json")) {
            throw new IllegalArgumentException("log format must be text or json, not \"" + format + "\"");
        }
        // Fail closed: a JSON log asked for must not quietly come out as text.
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            throw new IllegalStateException("log format json needs Logback as the SLF4J provider, not "
                    + LoggerFactory.getILoggerFactory().getClass().getName());
        }
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
        json.setContext(context);
        json.setName("json");
        json.setTarget("System.err");
        json.setEncoder(encoder);
        json.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(json);
    }

    /**
     * Sends the process's log, as text lines, to {@code file} instead of standard error: the demo's
     * own step lines must not be buried or garbled by the registry's and the libraries' lines. Where
     * SLF4J's provider is not Logback (a test JVM), slf4j-simple's file setting does the same.
     */
    static void toFile(Path file) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} %X{requestId:--} - %msg %kvp{NONE}%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("file");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }
}
