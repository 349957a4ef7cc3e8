package dev.meridian.testkit;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts one {@link LocalRegions} for the annotated test class (shared by its {@code @Nested} classes) and injects
 * it into {@code LocalRegions} fields and parameters; see {@link LocalRegionsExtension}.
 *
 * <pre>{@code
 * @LocalRegionsConfig(regions = {"eu-west-1", "us-east-1"})
 * class CheckoutIT {
 *     @Test void survivesEuOutage(LocalRegions regions) { regions.faults("eu-west-1").down(); ... }
 * }
 * }</pre>
 */
@API(status = EXPERIMENTAL, since = "0.1")
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LocalRegionsExtension.class)
public @interface LocalRegionsConfig {

    /** Region names to start; defaults to {@link LocalRegions#DEFAULT_REGIONS}. */
    String[] regions() default {"eu-west-1", "eu-central-1", "us-east-1"};

    /** Initial global-table replication delay in milliseconds (default 0). */
    long replicationDelayMillis() default 0;
}
