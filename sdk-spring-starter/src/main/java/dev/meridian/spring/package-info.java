/**
 * Spring Boot auto-configuration for Meridian: {@code meridian.*} properties, the routing beans, and Actuator health.
 */
@NullMarked
package dev.meridian.spring;

import org.jspecify.annotations.NullMarked;
