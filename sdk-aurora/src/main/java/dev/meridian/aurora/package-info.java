/**
 * Read-local / write-primary JDBC routing for Aurora Global Database: the routing {@code DataSource}, global-cluster writer discovery, failover re-routing and lag-aware reads.
 */
package dev.meridian.aurora;
