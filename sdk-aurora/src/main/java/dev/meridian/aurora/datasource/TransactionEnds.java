package dev.meridian.aurora.datasource;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Whether SQL sent inside a transaction may end it with its work kept: a {@code COMMIT}/{@code END} (or
 * {@code PREPARE TRANSACTION}) sent as SQL text rather than through {@code Connection.commit()}, alone or after other
 * statements of a multi-statement string. Errs towards "may": a match inside a string literal or a comment counts
 * too, and SQL not known counts — the answer only ever keeps a failure as it is rather than calling it retryable.
 */
final class TransactionEnds {
    /** A command (at the start or after a {@code ;}, past blanks and comments) that commits or prepares a commit. */
    private static final Pattern ENDS = Pattern.compile(
            "(?:^|;)(?:\\s|/\\*.*?\\*/|--[^\\n]*(?:\\n|$))*(?:COMMIT|END|PREPARE\\s+TRANSACTION)\\b",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private TransactionEnds() {
    }

    /** Whether {@code sql} may commit the transaction it runs in; true when {@code sql} is not known. */
    static boolean mayEnd(@Nullable String sql) {
        return sql == null || ENDS.matcher(sql).find();
    }
}
