/** The DynamoDB idempotency store (one record per key, homed per key) and its Lambda helper. */
@NullMarked
package dev.meridian.dynamodb.idempotency;

import org.jspecify.annotations.NullMarked;
