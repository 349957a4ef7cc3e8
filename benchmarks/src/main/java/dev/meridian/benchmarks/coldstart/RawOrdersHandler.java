package dev.meridian.benchmarks.coldstart;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * The baseline of the handler cold-start benchmark: {@code GET /orders/{id}} of the lambda-orders sample with one
 * plain {@link DynamoDbClient} in {@code AWS_REGION} (endpoint {@code DYNAMODB_ENDPOINT} when set), built the same
 * way as the sample's per-region clients (URL-connection HTTP client, credentials from the environment) and making
 * the same {@code GetItem}; no Meridian.
 */
public final class RawOrdersHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final DynamoDbClient dynamo;

    public RawOrdersHandler() {
        Map<String, String> env = System.getenv();
        DynamoDbClientBuilder b = DynamoDbClient.builder()
                .region(Region.of(env.getOrDefault("AWS_REGION", "eu-west-1")))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"))))
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        String endpoint = env.get("DYNAMODB_ENDPOINT");
        if (endpoint != null) {
            b.endpointOverride(URI.create(endpoint));
        }
        this.dynamo = b.build();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String orderId = event.getRawPath().substring("/orders/".length());
        GetItemResponse r = dynamo.getItem(g -> g.tableName("orders").key(Map.of("pk", AttributeValue.fromS(orderId))));
        String body = r.hasItem() ? "{\"orderId\":\"" + orderId + "\",\"order\":" + r.item().get("order").s() + '}'
                : "{\"error\":\"NotFound\"}";
        return APIGatewayV2HTTPResponse.builder().withStatusCode(r.hasItem() ? 200 : 404)
                .withHeaders(Map.of("Content-Type", "application/json")).withBody(body).build();
    }
}
