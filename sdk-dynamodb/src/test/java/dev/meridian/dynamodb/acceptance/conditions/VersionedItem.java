package dev.meridian.dynamodb.acceptance.conditions;

import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedAsyncClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.extensions.VersionedRecordExtension;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticTableSchema;

/**
 * An Enhanced Client item with a version attribute: the client's {@code VersionedRecordExtension} (on by default)
 * puts it with the next version under the condition that the stored version is the one it read — a guard the write
 * advances (docs/exactly-once.md). Also an unversioned put of the same table through the Enhanced Client.
 */
final class VersionedItem {
    private static final StaticTableSchema<VersionedItem> SCHEMA = StaticTableSchema.builder(VersionedItem.class)
            .newItemSupplier(VersionedItem::new)
            .addAttribute(String.class, a -> a.name("pk").getter(i -> i.pk).setter((i, v) -> i.pk = v)
                    .tags(StaticAttributeTags.primaryPartitionKey()))
            .addAttribute(Long.class, a -> a.name("v").getter(i -> i.version).setter((i, v) -> i.version = v)
                    .tags(VersionedRecordExtension.AttributeTags.versionAttribute()))
            .addAttribute(Long.class, a -> a.name("n").getter(i -> i.n).setter((i, v) -> i.n = v))
            .build();

    private String pk;
    private Long version;
    private Long n;

    /** The item as read at {@code version} (null: a new item), with counter 1. */
    static VersionedItem of(String pk, Long version) {
        VersionedItem item = new VersionedItem();
        item.pk = pk;
        item.version = version;
        item.n = 1L;
        return item;
    }

    /** Enhanced Client put of the item read at version 1 (the stored one): stored as version 2 if still at 1. */
    static Shape enhancedVersionedPut(String table) {
        return new Shape("Enhanced putItem of a versioned item", "PutItem",
                (c, k) -> {
                    DynamoDbEnhancedClient.builder().dynamoDbClient(c).build().table(table, SCHEMA)
                            .putItem(of(k, 1L));
                    return null;
                },
                (c, k) -> DynamoDbEnhancedAsyncClient.builder().dynamoDbClient(c).build().table(table, SCHEMA)
                        .putItem(of(k, 1L)));
    }
}
