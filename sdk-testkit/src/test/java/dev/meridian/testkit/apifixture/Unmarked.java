package dev.meridian.testkit.apifixture;

/** A public type without an API status, which {@code ApiSurface.check} refuses. */
public final class Unmarked {
}
