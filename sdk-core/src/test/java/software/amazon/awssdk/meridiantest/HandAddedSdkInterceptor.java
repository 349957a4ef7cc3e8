package software.amazon.awssdk.meridiantest;

import dev.meridian.core.TalliedInterceptor;

/**
 * Stands for an interceptor shipped in an SDK package that the SDK does not add itself, which an application registers
 * by hand on its client (a tracing or metrics helper, say): only its package matters.
 */
public final class HandAddedSdkInterceptor extends TalliedInterceptor {
}
