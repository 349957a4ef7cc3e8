/**
 * The multi-region {@code DynamoDbClient} / {@code DynamoDbAsyncClient}: {@link dev.meridian.dynamodb.client.MultiRegionDynamoDb}
 * builds them, {@link dev.meridian.dynamodb.client.TableConfig} describes tables. Inside: the generated routed
 * clients, the DynamoDB request model (classification, repeat guards, residency footprint, read-your-writes) over
 * sdk-core's routed-client engine.
 */
@NullMarked
package dev.meridian.dynamodb.client;

import org.jspecify.annotations.NullMarked;
