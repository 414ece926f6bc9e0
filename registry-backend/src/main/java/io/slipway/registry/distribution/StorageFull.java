package io.slipway.registry.distribution;

import java.util.Locale;

/**
 * Recognizes a full disk (or an exhausted quota) under an exception, whether the blob store's file
 * system or the metadata database said it. A full disk is the operator's to fix and says so; it is
 * not an internal error, and reads go on working while it lasts.
 */
public final class StorageFull {
    /** The answer to a write refused for lack of space: 507 Insufficient Storage, code DENIED. */
    public static final int STATUS = 507;
    public static final String MESSAGE = "the registry's storage is full: pushes are refused until space is freed "
            + "(pulls still work)";

    private StorageFull() {
    }

    public static boolean is(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.sqlite.SQLiteException sql && sql.getResultCode() != null
                    && sql.getResultCode().code == org.sqlite.SQLiteErrorCode.SQLITE_FULL.code) {
                return true;
            }
            String m = t.getMessage();
            if (m != null) {
                String lower = m.toLowerCase(Locale.ROOT);
                if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")
                        || lower.contains("database or disk is full")) {
                    return true;
                }
            }
            for (Throwable s : t.getSuppressed()) {
                if (s != t && is(s)) {
                    return true;
                }
            }
        }
        return false;
    }
}
