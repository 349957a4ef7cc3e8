package dev.meridian.testkit;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Creates one region's table of a global table. CreateTable is not idempotent, but the SDK retries it: when a first
 * attempt's answer is lost (a read timeout on a busy machine) after DynamoDB Local created the table, the retry is
 * refused with {@code ResourceInUseException}. That table is this call's own, so it is adopted (its stream ARN read
 * with DescribeTable); a table that existed before the call (refused on the first attempt) is still an error.
 * Stateless.
 */
final class TableCreation {

    private TableCreation() {
    }

    /** Creates the table and returns its latest stream ARN. */
    static String create(DynamoDbClient client, CreateTableRequest request, String region) {
        try {
            return client.createTable(request).tableDescription().latestStreamArn();
        } catch (ResourceInUseException e) {
            Integer attempts = e.numAttempts();
            if (attempts == null || attempts <= 1) {
                throw new IllegalStateException("Table " + request.tableName() + " already exists in region "
                        + region, e);
            }
            TableDescription table = client.describeTable(d -> d.tableName(request.tableName())).table();
            if (table.latestStreamArn() == null) {
                throw new IllegalStateException("Table " + request.tableName() + " already exists in region "
                        + region + " without a stream", e);
            }
            return table.latestStreamArn();
        }
    }
}
