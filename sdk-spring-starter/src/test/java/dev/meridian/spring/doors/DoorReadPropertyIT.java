package dev.meridian.spring.doors;

import java.util.EnumSet;

/**
 * 60 of the 120 tries of {@link DoorReadProperties}: the doors of the servlet application whose read runs on the
 * request's thread (a Tomcat worker, the thread followed after a released caller-first read) or on Spring MVC's
 * asynchronous request handling.
 */
class DoorReadPropertyIT extends DoorReadProperties {
    DoorReadPropertyIT() {
        super(EnumSet.of(Door.SERVLET_SYNC, Door.CALLABLE, Door.WEB_ASYNC_TASK, Door.DEFERRED_RESULT),
                Door.SERVLET_SYNC);
    }
}
