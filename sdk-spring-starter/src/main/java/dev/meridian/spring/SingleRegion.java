package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * Keeps a {@code DynamoDbClient} / {@code DynamoDbAsyncClient} / {@code DynamoDbEnhancedClient} bean as it is:
 * put it on the {@code @Bean} method (or the bean's class) and the starter does not make that bean multi-region.
 * {@code meridian.dynamodb.exclude-beans} does the same by bean name.
 */
@API(status = STABLE, since = "0.1")
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SingleRegion {
}
