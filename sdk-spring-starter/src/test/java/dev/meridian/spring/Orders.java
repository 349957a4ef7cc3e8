package dev.meridian.spring;

import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

/**
 * An item of the table Spring Cloud AWS names after this class, "orders" (a subclass is an item of the table named
 * after it), for the tests of that door.
 */
@DynamoDbBean
public class Orders {
    private String pk;
    private String status;

    static Orders of(String pk, String status) {
        return of(new Orders(), pk, status);
    }

    static <T extends Orders> T of(T item, String pk, String status) {
        item.setPk(pk);
        item.setStatus(status);
        return item;
    }

    @DynamoDbPartitionKey
    public String getPk() {
        return pk;
    }

    public void setPk(String pk) {
        this.pk = pk;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }
}
