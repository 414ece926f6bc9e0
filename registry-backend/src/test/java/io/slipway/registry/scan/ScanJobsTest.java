package io.slipway.registry.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.registry.metadata.PostgresDatabase;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.metadata.SqliteDatabase;
import io.slipway.registry.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scan job table on SQLite (one node) and PostgreSQL (several): one job per digest, oldest
 * first, a taken job is nobody else's until its lease expires, an expired lease is taken again with
 * the attempt counted, only the holder finishes a job, and nodes taking at once never take the
 * same job. Time is a clock the test moves, so lease expiry needs no waiting.
 */
class ScanJobsTest {
    @TempDir
    Path dir;
    private SqlDatabase db;

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private SqlDatabase open(String database) throws Exception {
        db = database.equals("postgres") ? new PostgresDatabase(PostgresServer.shared().newDatabase(8))
                : new SqliteDatabase(dir.resolve("metadata.db"));
        return db;
    }

    @AfterEach
    void close() {
        db.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void aJobIsTakenOnceUntilItsLeaseExpiresThenAgainWithTheAttemptCounted(String database) throws Exception {
        ManualClock clock = new ManualClock();
        SqlDatabase sql = open(database);
        ScanJobs a = new ScanJobs(sql, "node-a", Duration.ofSeconds(30), clock);
        ScanJobs b = new ScanJobs(sql, "node-b", Duration.ofSeconds(30), clock);
        Digest first = Digest.sha256("first");
        Digest second = Digest.sha256("second");

        assertThat(a.offer(first)).isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(b.offer(second)).isTrue();
        assertThat(b.offer(first)).as("one job per digest").isFalse();
        assertThat(a.pending()).isEqualTo(2);

        ScanJobs.Job taken = a.take().orElseThrow();
        assertThat(taken).isEqualTo(new ScanJobs.Job(first, 1, "node-a"));
        assertThat(b.take().orElseThrow().digest()).as("the other node gets the next job, not the taken one").isEqualTo(second);
        assertThat(b.take()).isEmpty();

        // node-a stops renewing (it died): after the lease, node-b takes its job, attempt 2.
        clock.advance(Duration.ofSeconds(31));
        ScanJobs.Job retaken = b.take().orElseThrow();
        assertThat(retaken.digest()).isIn(first, second);
        Optional<ScanJobs.Job> other = b.take();
        assertThat(other).isPresent();
        ScanJobs.Job again = retaken.digest().equals(first) ? retaken : other.get();
        assertThat(again).isEqualTo(new ScanJobs.Job(first, 2, "node-b"));

        // The dead node's late answer changes nothing: the job is node-b's now.
        assertThat(a.renew(taken)).isFalse();
        a.complete(taken, clock.millis(), "DONE");
        assertThat(a.pending()).isEqualTo(2);
        assertThat(b.renew(again)).isTrue();
        b.complete(again, clock.millis(), "DONE");
        assertThat(b.runs(first)).extracting(ScanJobs.Run::node, ScanJobs.Run::attempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("node-a", 1), org.assertj.core.groups.Tuple.tuple("node-b", 2));
        assertThat(a.pending()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void nodesTakingAtOnceNeverTakeTheSameJob(String database) throws Exception {
        SqlDatabase sql = open(database);
        List<ScanJobs> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(new ScanJobs(sql, "node-" + i, Duration.ofMinutes(5), Clock.systemUTC()));
        }
        List<Digest> offered = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Digest d = Digest.sha256("image-" + i);
            offered.add(d);
            nodes.get(i % 4).offer(d);
        }
        ConcurrentLinkedQueue<ScanJobs.Job> taken = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                ScanJobs node = nodes.get(w % 4);
                workers.add(pool.submit(() -> {
                    for (Optional<ScanJobs.Job> job = node.take(); job.isPresent(); job = node.take()) {
                        taken.add(job.get());
                        node.complete(job.get(), System.currentTimeMillis(), "DONE");
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(taken).extracting(ScanJobs.Job::digest).containsExactlyInAnyOrderElementsOf(offered);
        assertThat(taken).allSatisfy(j -> assertThat(j.attempt()).isEqualTo(1));
        assertThat(nodes.get(0).pending()).isZero();
        for (Digest d : offered) {
            assertThat(nodes.get(0).runs(d)).hasSize(1);
        }
    }
}
