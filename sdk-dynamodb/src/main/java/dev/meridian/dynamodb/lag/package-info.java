/** The replication-lag probe: heartbeats written in each region and read back in the others. */
package dev.meridian.dynamodb.lag;
