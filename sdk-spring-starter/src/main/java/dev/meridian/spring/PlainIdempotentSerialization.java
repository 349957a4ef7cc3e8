package dev.meridian.spring;

import dev.meridian.core.idempotency.ResultCodec;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** {@link IdempotentSerialization} without Jackson: payloads by {@code toString()}, String and byte[] results. */
final class PlainIdempotentSerialization implements IdempotentSerialization {
    static final PlainIdempotentSerialization INSTANCE = new PlainIdempotentSerialization();

    private PlainIdempotentSerialization() {
    }

    @Override
    public byte[] payload(@Nullable Object payload) {
        return Arrays.deepToString(new Object[] {payload}).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    @SuppressWarnings("unchecked")
    public ResultCodec<Object> resultCodec(Method method) {
        Class<?> type = method.getReturnType();
        if (type == String.class) {
            return (ResultCodec<Object>) (ResultCodec<?>) ResultCodec.string();
        }
        if (type == byte[].class) {
            return (ResultCodec<Object>) (ResultCodec<?>) ResultCodec.bytes();
        }
        throw new IllegalStateException("@Idempotent method " + method.getDeclaringClass().getName() + "."
                + method.getName() + " returns " + type.getName() + ", which cannot be stored without Jackson: add"
                + " Jackson 3 (tools.jackson.core:jackson-databind) to the class path, return a String or byte[], or"
                + " define an IdempotentSerialization bean");
    }
}
