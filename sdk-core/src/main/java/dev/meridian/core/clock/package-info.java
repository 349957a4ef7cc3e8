/**
 * The hybrid logical clock that orders writes across regions: {@link dev.meridian.core.clock.HybridLogicalClock}.
 */
@NullMarked
package dev.meridian.core.clock;

import org.jspecify.annotations.NullMarked;
