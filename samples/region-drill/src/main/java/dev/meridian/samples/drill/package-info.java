/**
 * The region drill: the README's demo, which runs traffic through Meridian across three local regions while it takes regions down, slows them, injects errors and partitions replication.
 */
package dev.meridian.samples.drill;
