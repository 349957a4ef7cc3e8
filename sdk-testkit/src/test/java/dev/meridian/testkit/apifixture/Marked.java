package dev.meridian.testkit.apifixture;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.INTERNAL;

import org.apiguardian.api.API;

/** A type with an API status, for {@code ApiSurfaceStatusTest}. */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Marked {
    /** An integration-only constructor: its own status. */
    @API(status = INTERNAL, since = "0.1")
    public Marked() {
    }

    /** Without an annotation of its own: the enclosing type's status. */
    public static final class Nested {
    }
}
