package dev.meridian.spring;

import dev.meridian.core.idempotency.ResultCodec;
import java.lang.reflect.Method;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/** {@link IdempotentSerialization} as JSON through Jackson 3 (the application's {@code JsonMapper} when it has one). */
final class JacksonIdempotentSerialization implements IdempotentSerialization {
    private final JsonMapper mapper;

    JacksonIdempotentSerialization(JsonMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public byte[] payload(@Nullable Object payload) {
        return mapper.writeValueAsBytes(payload);
    }

    @Override
    public ResultCodec<Object> resultCodec(Method method) {
        JavaType type = mapper.constructType(method.getGenericReturnType());
        return ResultCodec.of(mapper::writeValueAsBytes, bytes -> mapper.readValue(bytes, type));
    }
}
