package dev.meridian.spring.doors;

import java.util.EnumSet;

/**
 * The other 60 of the 120 tries of {@link DoorReadProperties}, in a class of its own so that a second failsafe fork
 * runs them: the doors whose read runs on a thread the application hands it to (an {@code @Async} method — the
 * executor's thread is the one followed after a released caller-first read —, the SDK thread of {@code thenCompose},
 * a WebFlux scheduler).
 */
class DoorReadPropertyOtherThreadsIT extends DoorReadProperties {
    DoorReadPropertyOtherThreadsIT() {
        super(EnumSet.of(Door.ASYNC_METHOD, Door.FUTURE_THEN_COMPOSE, Door.WEBFLUX), Door.ASYNC_METHOD);
    }
}
