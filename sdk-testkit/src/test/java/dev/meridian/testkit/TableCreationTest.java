package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.CreateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

class TableCreationTest {
    private static final CreateTableRequest REQUEST = CreateTableRequest.builder().tableName("orders").build();
    private static final String ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/orders/stream/2026-12-06";

    /** A client whose CreateTable is refused as the SDK reports it after {@code attempts} attempts. */
    private static final class RefusingClient implements DynamoDbClient {
        private final int attempts;
        private final List<String> calls = new ArrayList<>();

        RefusingClient(int attempts) {
            this.attempts = attempts;
        }

        @Override
        public CreateTableResponse createTable(CreateTableRequest request) {
            calls.add("CreateTable");
            throw (ResourceInUseException) ResourceInUseException.builder()
                    .message("Cannot create preexisting table").numAttempts(attempts).build();
        }

        @Override
        public DescribeTableResponse describeTable(DescribeTableRequest request) {
            calls.add("DescribeTable " + request.tableName());
            return DescribeTableResponse.builder()
                    .table(TableDescription.builder().tableName(request.tableName()).latestStreamArn(ARN).build())
                    .build();
        }

        @Override
        public String serviceName() {
            return "dynamodb";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aTableTheSdksRetryFindsIsTheOneItsLostFirstAttemptCreated() {
        RefusingClient client = new RefusingClient(2);

        assertThat(TableCreation.create(client, REQUEST, "eu-west-1")).isEqualTo(ARN);
        assertThat(client.calls).containsExactly("CreateTable", "DescribeTable orders");
    }

    @Test
    void aTableThatExistedBeforeTheCallIsStillAnError() {
        assertThatThrownBy(() -> TableCreation.create(new RefusingClient(1), REQUEST, "eu-west-1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Table orders already exists in region eu-west-1");
    }
}
