package dev.meridian.aurora.datasource;

/** 30 of the 60 tries of {@link JdbcInvariantProperties}. */
class JdbcInvariantPropertyIT extends JdbcInvariantProperties {
}
