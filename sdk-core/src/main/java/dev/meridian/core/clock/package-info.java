/**
 * The hybrid logical clock that orders writes across regions: {@link dev.meridian.core.clock.HybridLogicalClock}.
 */
package dev.meridian.core.clock;
