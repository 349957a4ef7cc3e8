package dev.meridian.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * One DynamoDB request written by hand and its answer read byte by byte to the end of the stream, so a test sees the
 * wire as it is: the framing, the bytes that came, and whether the stream ended with a FIN ({@link #read} returns)
 * or a reset (it throws). DynamoDB Local does not check signatures: any well-formed {@code Authorization} passes.
 */
record RawAnswer(int status, String headers, byte[] body) {

    private static final String AUTHORIZATION = "AWS4-HMAC-SHA256 Credential=meridiantestkit/20260101/eu-west-1/"
            + "dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00";

    /**
     * @param keepAlive whether the request asks to keep the connection (as the SDK's clients do), so that the answer
     *                  has a framing and only a cut ends the stream; without, the server closes after the answer
     */
    static RawAnswer getItem(URI endpoint, String table, String pk, boolean keepAlive) throws IOException {
        String body = "{\"TableName\":\"" + table + "\",\"Key\":{\"pk\":{\"S\":\"" + pk + "\"}},\"ConsistentRead\":true}";
        return exchange(endpoint, "GetItem", body, keepAlive);
    }

    private static RawAnswer exchange(URI endpoint, String operation, String body, boolean keepAlive)
            throws IOException {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST / HTTP/1.1\r\nHost: " + endpoint.getHost() + ":" + endpoint.getPort() + "\r\n"
                    + "X-Amz-Target: DynamoDB_20120810." + operation + "\r\n"
                    + "X-Amz-Date: 20260101T000000Z\r\n"
                    + (keepAlive ? "" : "Connection: close\r\n")
                    + "Authorization: " + AUTHORIZATION + "\r\n"
                    + "Content-Type: application/x-amz-json-1.0\r\n"
                    + "Content-Length: " + payload.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            return parse(read(socket.getInputStream()));
        }
    }

    /** Everything until the end of the stream; a reset throws. */
    private static byte[] read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toByteArray();
    }

    private static RawAnswer parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalStateException("no complete header block in " + bytes.length + " bytes: " + text);
        }
        String headers = text.substring(0, end);
        int status = Integer.parseInt(headers.substring(9, 12));
        byte[] body = text.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1);
        return new RawAnswer(status, headers, body);
    }

    Optional<String> header(String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        return headers.lines().skip(1).filter(l -> l.toLowerCase(Locale.ROOT).startsWith(prefix))
                .map(l -> l.substring(prefix.length()).trim()).findFirst();
    }

    String bodyText() {
        return new String(body, StandardCharsets.ISO_8859_1);
    }
}
