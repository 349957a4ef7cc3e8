package dev.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** {@link LocalRegions#pkTable(String)}: the table most tests create, as a request (created by the ITs). */
class PkTableTest {

    @Test
    void keyedByTheStringPartitionKeyPkAndNothingElse() {
        CreateTableRequest request = LocalRegions.pkTable("orders");

        assertThat(request.tableName()).isEqualTo("orders");
        assertThat(request.keySchema()).containsExactly(
                KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build());
        assertThat(request.attributeDefinitions()).containsExactly(
                AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build());
        // Billing and streams are createGlobalTable's to choose (on-demand, NEW_AND_OLD_IMAGES).
        assertThat(request.billingMode()).isNull();
        assertThat(request.streamSpecification()).isNull();
    }

    @Test
    void aMissingNameIsRefusedNamingTheParameter() {
        assertThatThrownBy(() -> LocalRegions.pkTable(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("tableName");
    }
}
