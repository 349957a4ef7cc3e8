package dev.meridian.spring;

import dev.meridian.core.idempotency.ResultCodec;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * How {@link Idempotent} methods turn their payload into the bytes whose SHA-256 is stored with a record, and their
 * result into the bytes replayed to duplicates. The starter provides JSON through Jackson when it is on the class
 * path (the application's {@code JsonMapper}, else a default one), else {@link #plain()}; define a bean of this type to use another format.
 */
interface IdempotentSerialization {

    /**
     * The bytes hashed as the payload of a call: the value of {@link Idempotent#payload()} (may be null), or all
     * arguments.
     */
    byte[] payload(@Nullable Object payload);

    /**
     * The codec for {@code method}'s results; asked once per method, before its first call runs. Throws
     * {@link IllegalStateException} naming the method when its return type cannot be stored.
     */
    ResultCodec<Object> resultCodec(Method method);

    /**
     * Without Jackson: the payload is its {@code toString()} (arrays element by element) as UTF-8, so arguments need
     * a value-based {@code toString()} (records do); results can be {@code String} or {@code byte[]}.
     */
    static IdempotentSerialization plain() {
        return PlainIdempotentSerialization.INSTANCE;
    }
}
