package dev.meridian.spring;

import static org.apiguardian.api.API.Status.STABLE;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * Runs the annotated method of a Spring bean at most once per idempotency key, across regions, and answers a
 * duplicate with the first call's result — the Spring form of Powertools' {@code @Idempotent}, backed by the
 * application's {@link dev.meridian.core.idempotency.Idempotency} bean (the starter builds one on the DynamoDB store
 * when {@code meridian.dynamodb.idempotency.table} is set).
 *
 * <pre>{@code
 * @Idempotent                                   // key: the request's Idempotency-Key header
 * public Order place(NewOrder order) { ... }
 *
 * @Idempotent(key = "#payment.id", payload = "#payment")
 * public Receipt charge(Payment payment, Locale locale) { ... }
 * }</pre>
 *
 * <p>The record's key is {@link #name()} (default {@code SimpleClassName.method}) + {@code #} + the key, so two
 * methods called under the same request key keep separate records. The payload whose SHA-256 is stored with the
 * record (a key reused with another payload fails with {@code IdempotencyKeyReuseException}) and the stored result
 * are serialized by the {@link IdempotentSerialization} bean: JSON through Jackson when it is on the class path, else
 * the arguments' {@code toString()} and only {@code String} / {@code byte[]} / {@code void} results. A method must
 * not return {@code null} (return {@code Optional} or a marker): a result that cannot be stored fails the call with
 * {@code IdempotencyResultNotStoredException} and the method does not run again under that key.
 *
 * <p>Applies to calls through the Spring proxy (not to a call from the same object), on public or protected methods.
 * A missing key fails with {@link IdempotencyKeyMissingException} before the method runs.
 */
@API(status = STABLE, since = "0.1")
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Idempotent {

    /**
     * SpEL evaluated against the method's arguments ({@code #order}, {@code #p0}, {@code #a0}) and a root with
     * {@code requestKey} (the current {@code RoutingContext}'s idempotency key, or null), {@code args} and
     * {@code methodName}. Empty (default): the request's {@code Idempotency-Key}.
     */
    String key() default "";

    /** SpEL for what is hashed as the payload, evaluated like {@link #key()}. Empty (default): all arguments. */
    String payload() default "";

    /** The namespace of the records (default {@code SimpleClassName.method}); set it to keep keys across renames. */
    String name() default "";
}
