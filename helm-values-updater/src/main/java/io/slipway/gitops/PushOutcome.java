package io.slipway.gitops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;

/**
 * What a push did, read from every ref update's status: JGit's push throws nothing when the
 * server refuses a ref, so "it returned" says nothing about whether the commit landed.
 */
record PushOutcome(Kind kind, String detail) {

    enum Kind {
        /** the ref now points at our commit */
        ACCEPTED,
        /** someone else moved the ref first (or held its lock): fetch, re-apply, try again */
        RACED,
        /** refused for a reason a retry will not change (hook, protection, permissions) */
        REFUSED
    }

    static PushOutcome of(Iterable<PushResult> results) {
        List<String> refused = new ArrayList<>();
        boolean raced = false;
        int updates = 0;
        for (PushResult result : results) {
            for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                updates++;
                RemoteRefUpdate.Status status = update.getStatus();
                String message = update.getMessage() == null ? "" : update.getMessage();
                switch (status) {
                    case OK, UP_TO_DATE -> {
                    }
                    case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> raced = true;
                    case REJECTED_OTHER_REASON -> {
                        if (looksLikeARace(message)) {
                            raced = true;
                        } else {
                            refused.add(update.getRemoteName() + ": " + status + " " + message);
                        }
                    }
                    default -> refused.add(update.getRemoteName() + ": " + status + (message.isEmpty() ? "" : " " + message));
                }
            }
        }
        if (updates == 0) {
            return new PushOutcome(Kind.REFUSED, "the remote reported no ref update");
        }
        if (!refused.isEmpty()) {
            return new PushOutcome(Kind.REFUSED, String.join("; ", refused));
        }
        return raced ? new PushOutcome(Kind.RACED, "the branch moved") : new PushOutcome(Kind.ACCEPTED, "");
    }

    // Servers word a lost race differently: JGit "lock error" or "invalid old id sent" (the ref
    // moved between its advertisement and our push), C git "cannot lock ref", "failed to update
    // ref", "fetch first", "non-fast-forward", "stale info".
    private static boolean looksLikeARace(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("lock") || m.contains("fetch first") || m.contains("non-fast-forward")
                || m.contains("failed to update") || m.contains("stale") || m.contains("invalid old id");
    }
}
