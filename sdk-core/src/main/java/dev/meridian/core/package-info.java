/**
 * The routing brain: topology ({@code MultiRegionConfig}), data residency, routing strategies, per-region health (circuit breakers), cross-region execution (failover, hedging), the hybrid logical clock, the idempotency API and metrics. Data modules describe operations; every routing decision is made here.
 */
@NullMarked
package dev.meridian.core;

import org.jspecify.annotations.NullMarked;
