package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.idempotency.Idempotency;
import org.apiguardian.api.API;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.EnableAspectJAutoProxy;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link Idempotent} methods: with AspectJ's annotations on the class path ({@code spring-boot-starter-aspectj}) and an
 * {@link Idempotency} bean (the starter's, on DynamoDB, or the application's own), the {@link IdempotentAspect} and
 * its {@link IdempotentSerialization} (Jackson when present).
 */
@AutoConfiguration(after = MeridianDynamoDbAutoConfiguration.class,
        afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@API(status = STABLE, since = "0.1")
@ConditionalOnClass(name = "org.aspectj.weaver.Advice")
@ConditionalOnBean(Idempotency.class)
@EnableAspectJAutoProxy(proxyTargetClass = true)
public class MeridianIdempotentAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    IdempotentAspect meridianIdempotentAspect(Idempotency idempotency, IdempotentSerialization serialization) {
        return new IdempotentAspect(idempotency, serialization);
    }

    /** JSON with the application's {@code JsonMapper}, else a default one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "tools.jackson.databind.json.JsonMapper")
    static class JacksonSerialization {
        @Bean
        @ConditionalOnMissingBean
        IdempotentSerialization meridianIdempotentSerialization(ObjectProvider<JsonMapper> mapper) {
            return new JacksonIdempotentSerialization(mapper.getIfAvailable(JsonMapper::shared));
        }
    }

    /** Without Jackson: toString payloads, String and byte[] results. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("tools.jackson.databind.json.JsonMapper")
    static class PlainSerialization {
        @Bean
        @ConditionalOnMissingBean
        IdempotentSerialization meridianIdempotentSerialization() {
            return IdempotentSerialization.plain();
        }
    }
}
