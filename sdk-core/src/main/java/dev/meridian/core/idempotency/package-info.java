/**
 * Idempotent execution: {@link dev.meridian.core.idempotency.Idempotency} runs an operation once per key and replays
 * its stored result to duplicates; {@link dev.meridian.core.idempotency.IdempotencyStore} is the storage SPI
 * (DynamoDB in {@code sdk-dynamodb}, {@link dev.meridian.core.idempotency.InMemoryIdempotencyStore} here).
 */
@NullMarked
package dev.meridian.core.idempotency;

import org.jspecify.annotations.NullMarked;
