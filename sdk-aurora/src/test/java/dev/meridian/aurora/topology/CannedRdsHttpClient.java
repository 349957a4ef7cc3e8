package dev.meridian.aurora.topology;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An HTTP client for the RDS Query API that answers DescribeGlobalClusters / DescribeDBClusters with canned XML for a
 * global cluster of {@link #members} (by default orders-euw1 in eu-west-1 and orders-use1 in us-east-1). The writer
 * can be switched and members added; a member with a {@link #localPorts local port} is reported at 127.0.0.1 on that
 * port, e.g. a testkit PostgreSQL node.
 */
public final class CannedRdsHttpClient implements SdkHttpClient {
    public static final String EU_ARN = "arn:aws:rds:eu-west-1:123456789012:cluster:orders-euw1";
    public static final String US_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:orders-use1";
    public static final String EU_CENTRAL_ARN = "arn:aws:rds:eu-central-1:123456789012:cluster:orders-euc1";

    /** The member clusters DescribeGlobalClusters reports, in order. */
    public final List<String> members = new CopyOnWriteArrayList<>(List.of(EU_ARN, US_ARN));
    /** Members whose endpoints are 127.0.0.1 on this port (writer and reader alike). */
    public final Map<String, Integer> localPorts = new ConcurrentHashMap<>();

    public final List<String> calls = new CopyOnWriteArrayList<>();
    volatile String writerArn = EU_ARN;

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        Map<String, String> form = form(request);
        String host = request.httpRequest().host();
        calls.add(form.get("Action") + "@" + host);
        String xml = switch (form.get("Action")) {
            case "DescribeGlobalClusters" -> globalClusters();
            case "DescribeDBClusters" -> dbCluster(form.get("DBClusterIdentifier"));
            default -> throw new IllegalArgumentException("unexpected action " + form);
        };
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                return HttpExecuteResponse.builder()
                        .response(SdkHttpResponse.builder().statusCode(200).putHeader("Content-Type", "text/xml").build())
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
                        .build();
            }

            @Override
            public void abort() {
            }
        };
    }

    private String globalClusters() {
        return "<DescribeGlobalClustersResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\">"
                + "<DescribeGlobalClustersResult><GlobalClusters><GlobalClusterMember>"
                + "<GlobalClusterIdentifier>orders</GlobalClusterIdentifier><Engine>aurora-postgresql</Engine>"
                + "<GlobalClusterMembers>"
                + String.join("", members.stream().map(this::member).toList())
                + "</GlobalClusterMembers></GlobalClusterMember></GlobalClusters></DescribeGlobalClustersResult>"
                + "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeGlobalClustersResponse>";
    }

    private String member(String arn) {
        return "<GlobalClusterMember><DBClusterArn>" + arn + "</DBClusterArn><IsWriter>" + arn.equals(writerArn)
                + "</IsWriter></GlobalClusterMember>";
    }

    private String dbCluster(String arn) {
        String name = arn.substring(arn.lastIndexOf(':') + 1);
        String region = arn.split(":")[3];
        Integer localPort = localPorts.get(arn);
        if (localPort != null) {
            return cluster(name, arn, "127.0.0.1", "127.0.0.1", localPort);
        }
        return cluster(name, arn, name + ".cluster-abc." + region + ".rds.amazonaws.com",
                name + ".cluster-ro-abc." + region + ".rds.amazonaws.com", 5432);
    }

    private static String cluster(String name, String arn, String endpoint, String readerEndpoint, int port) {
        return "<DescribeDBClustersResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\">"
                + "<DescribeDBClustersResult><DBClusters><DBCluster>"
                + "<DBClusterIdentifier>" + name + "</DBClusterIdentifier><DBClusterArn>" + arn + "</DBClusterArn>"
                + "<Endpoint>" + endpoint + "</Endpoint>"
                + "<ReaderEndpoint>" + readerEndpoint + "</ReaderEndpoint>"
                + "<Port>" + port + "</Port>"
                + "</DBCluster></DBClusters></DescribeDBClustersResult>"
                + "<ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></DescribeDBClustersResponse>";
    }

    private static Map<String, String> form(HttpExecuteRequest request) {
        String body = request.contentStreamProvider().map(p -> read(p.newStream())).orElse("");
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
    }
}
