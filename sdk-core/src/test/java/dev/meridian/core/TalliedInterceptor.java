package dev.meridian.core;

import java.util.Queue;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * A test interceptor that notes each of its runs (its class's simple name) in the tally a request carries as the
 * execution attribute {@link #RUNS}; requests without one are left alone. Public, with public subclasses, for the SDK
 * instantiates those registered in interceptor files by reflection.
 */
public abstract class TalliedInterceptor implements ExecutionInterceptor {
    public static final ExecutionAttribute<Queue<String>> RUNS = new ExecutionAttribute<>("MeridianTestInterceptorRuns");

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        Queue<String> runs = attributes.getAttribute(RUNS);
        if (runs != null) {
            runs.add(getClass().getSimpleName());
        }
    }
}
