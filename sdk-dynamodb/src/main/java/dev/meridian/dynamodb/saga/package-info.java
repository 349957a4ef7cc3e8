/**
 * Sagas across regions: ordered steps with compensations, each step and compensation run once through sdk-core's
 * idempotency, the saga log in a DynamoDB global table homed per saga id (see {@link dev.meridian.dynamodb.saga.Sagas}
 * and docs/sagas.md).
 */
@NullMarked
package dev.meridian.dynamodb.saga;

import org.jspecify.annotations.NullMarked;
