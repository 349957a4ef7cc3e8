/**
 * The routing JDBC {@code DataSource} for Aurora global databases: {@link dev.meridian.aurora.datasource.RoutingDataSource}
 * sends read-only work to a nearby reader and everything else to the current writer, with residency checked at every
 * statement, breaker-guarded connection attempts, lag-aware reads and transparent moves to a new writer; plus the two
 * exceptions it adds to JDBC's ({@code WriterChangedException}, {@code WriterUnavailableException}). Everything else
 * here is package-private. Depends on {@code topology} and {@code lag}, never the other way.
 */
@NullMarked
package dev.meridian.aurora.datasource;

import org.jspecify.annotations.NullMarked;
