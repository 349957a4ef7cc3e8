package dev.meridian.spring;

import java.util.Map;

/**
 * The application's feature flags as {@code /actuator/meridian} shows them: read from sdk-dynamodb's {@code Flags}
 * bean, an optional dependency, so the endpoint itself never loads its classes.
 */
@FunctionalInterface
interface FlagsView {
    /** The control table, the local region, the last good read and each flag's definition. */
    Map<String, Object> view();
}
