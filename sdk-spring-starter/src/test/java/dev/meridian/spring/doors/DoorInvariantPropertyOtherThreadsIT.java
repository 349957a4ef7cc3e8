package dev.meridian.spring.doors;

import java.util.EnumSet;

/**
 * The other 40 of the 80 tries of {@link DoorInvariantProperties}, in a class of its own so that a second failsafe
 * fork runs them: the doors whose write runs on a thread the application hands it to (an {@code @Async} method, the
 * SDK thread of {@code thenCompose}, a WebFlux scheduler).
 */
class DoorInvariantPropertyOtherThreadsIT extends DoorInvariantProperties {
    DoorInvariantPropertyOtherThreadsIT() {
        super(EnumSet.of(Door.ASYNC_METHOD, Door.FUTURE_THEN_COMPOSE, Door.WEBFLUX));
    }
}
