/** A conflict-free counter over a global table: one contribution item per region, summed on read. */
@NullMarked
package dev.meridian.dynamodb.counter;

import org.jspecify.annotations.NullMarked;
