package dev.meridian.aurora.datasource;

/**
 * The other 30 of the 60 tries of {@link JdbcInvariantProperties}, in a class of its own so that a second failsafe
 * fork runs them.
 */
class JdbcInvariantPropertySecondHalfIT extends JdbcInvariantProperties {
}
