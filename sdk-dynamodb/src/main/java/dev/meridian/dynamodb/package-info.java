/**
 * Multi-region DynamoDB: a routing {@code DynamoDbClient}/{@code DynamoDbAsyncClient}, last-writer-wins conditional writes, the DynamoDB idempotency store, read-your-writes sessions, the replication-lag probe and the conflict-free global counter.
 */
package dev.meridian.dynamodb;
