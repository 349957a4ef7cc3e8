package dev.meridian.core.idempotency;

import static org.apiguardian.api.API.Status.STABLE;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * Turns an operation's result into the bytes an {@link IdempotencyStore} keeps, and back, so that a duplicate call
 * can be answered with the first call's result. Meridian never uses Java serialization: pick a codec for your type,
 * e.g. JSON with your own mapper: {@code ResultCodec.of(mapper::writeValueAsBytes, b -> mapper.readValue(b, T.class))}
 * (wrapping checked exceptions).
 *
 * <p>Implementations must be thread-safe (one codec serves concurrent calls; the built-in ones are stateless). An
 * exception from {@link #encode} comes after the operation ran: the record is completed without a result and the
 * caller of {@link Idempotency#execute} (and every duplicate) gets {@link IdempotencyResultNotStoredException}, so the
 * operation does not run again; an exception from {@link #decode} reaches the duplicate's caller and leaves the stored
 * record as it is.
 *
 * @param <T> the result type
 */
@API(status = STABLE, since = "0.1")
public interface ResultCodec<T> {

    /** Encodes a result (never called with {@code null}; use a codec that maps null if your operation returns it). */
    byte[] encode(T value);

    /** Decodes bytes written by {@link #encode}. */
    T decode(byte[] bytes);

    /** UTF-8 strings. */
    static ResultCodec<String> string() {
        return of(s -> s.getBytes(StandardCharsets.UTF_8), b -> new String(b, StandardCharsets.UTF_8));
    }

    /** Raw bytes (copied both ways). */
    static ResultCodec<byte[]> bytes() {
        return of(byte[]::clone, byte[]::clone);
    }

    /** A codec from two functions. */
    static <T> ResultCodec<T> of(Function<? super T, byte[]> encoder, Function<byte[], ? extends T> decoder) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(decoder, "decoder");
        return new ResultCodec<>() {
            @Override
            public byte[] encode(T value) {
                return encoder.apply(value);
            }

            @Override
            public T decode(byte[] bytes) {
                return decoder.apply(bytes);
            }
        };
    }

    /** A codec through a UTF-8 text form, e.g. JSON or a single number. */
    static <T> ResultCodec<T> text(Function<? super T, String> toText, Function<String, ? extends T> fromText) {
        Objects.requireNonNull(toText, "toText");
        Objects.requireNonNull(fromText, "fromText");
        ResultCodec<String> utf8 = string();
        return of(v -> utf8.encode(toText.apply(v)), b -> fromText.apply(utf8.decode(b)));
    }
}
