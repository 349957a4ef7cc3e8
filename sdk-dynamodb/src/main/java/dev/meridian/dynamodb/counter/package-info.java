/** A conflict-free counter over a global table: one contribution item per region, summed on read. */
package dev.meridian.dynamodb.counter;
