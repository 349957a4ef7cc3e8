/**
 * Spring Boot auto-configuration for Meridian: {@code meridian.*} properties, the routing beans, and Actuator health.
 */
package dev.meridian.spring;
