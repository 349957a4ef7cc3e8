/** The replication-lag probe: heartbeats written in each region and read back in the others. */
@NullMarked
package dev.meridian.dynamodb.lag;

import org.jspecify.annotations.NullMarked;
