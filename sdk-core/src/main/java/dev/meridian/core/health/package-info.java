/**
 * Per-region health: one Resilience4j circuit breaker per region (and per region × resource), manual drain and an
 * optional active probe, configured by {@link dev.meridian.core.health.HealthConfig}.
 */
@NullMarked
package dev.meridian.core.health;

import org.jspecify.annotations.NullMarked;
