/**
 * How far a reader is behind its writer: the {@link dev.meridian.aurora.lag.LagProbe} SPI and its PostgreSQL and
 * Aurora PostgreSQL global database implementations. Knows nothing of data sources.
 */
@NullMarked
package dev.meridian.aurora.lag;

import org.jspecify.annotations.NullMarked;
