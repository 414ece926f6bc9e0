package io.slipway.registry.scan;

import io.slipway.oci.Digest;
import java.time.Instant;
import java.util.List;

/**
 * What the registry keeps of one scan: its state and, once done, every issue found, stored
 * without exemptions so that an exemption added later applies at once, without a re-scan.
 *
 * @param unassessed      why the operating system packages could not be assessed, or null
 * @param databaseVersion the advisory database the scan was (or will be) computed against
 */
public record ScanResult(Digest digest, State state, String os, String unassessed, List<Issue> issues,
        List<String> advice, String error, String databaseVersion, Instant updated) {

    public enum State { QUEUED, SCANNING, DONE, FAILED, UNSUPPORTED }

    /**
     * One vulnerability ({@code type} cve) or configuration issue; {@code ids} are every name it
     * goes by (CVE, GHSA, record id), which is what exemptions match.
     */
    public record Issue(String type, String id, List<String> ids, String pkg, String installed, String fixed,
            String severity, String summary, String correction) {
    }

    public static ScanResult of(Digest digest, State state, String databaseVersion) {
        return new ScanResult(digest, state, null, null, List.of(), List.of(), null, databaseVersion, Instant.now());
    }
}
