/**
 * Routing: the {@link dev.meridian.core.Router} turns an operation and its routing context into an ordered
 * {@link dev.meridian.core.routing.RoutingPlan} (residency, then health, then a
 * {@link dev.meridian.core.routing.RoutingStrategy}: local-first, failover, weighted, geo, latency, home-by-key).
 */
@NullMarked
package dev.meridian.core.routing;

import org.jspecify.annotations.NullMarked;
