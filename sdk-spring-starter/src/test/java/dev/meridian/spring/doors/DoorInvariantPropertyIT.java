package dev.meridian.spring.doors;

import java.util.EnumSet;

/**
 * 40 of the 80 tries of {@link DoorInvariantProperties}: the doors of the servlet application whose write runs on the
 * request's thread or on Spring MVC's asynchronous request handling (only the servlet applications are started).
 */
class DoorInvariantPropertyIT extends DoorInvariantProperties {
    DoorInvariantPropertyIT() {
        super(EnumSet.of(Door.SERVLET_SYNC, Door.CALLABLE, Door.WEB_ASYNC_TASK, Door.DEFERRED_RESULT));
    }
}
