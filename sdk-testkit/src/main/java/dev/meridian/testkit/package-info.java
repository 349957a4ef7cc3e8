/**
 * Local simulated AWS regions for tests and the demo: DynamoDB Local per region behind a fault-injecting proxy, a global-table replicator, and a PostgreSQL primary with streaming replicas standing in for Aurora Global Database. Test and demo scope only.
 */
package dev.meridian.testkit;
