/** The DynamoDB idempotency store (one record per key, homed per key) and its Lambda helper. */
package dev.meridian.dynamodb.idempotency;
