package dev.meridian.spring;

import dev.meridian.core.routing.RoutingContext;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.async.CallableProcessingInterceptor;

/**
 * Runs a Spring MVC handler's {@code Callable} (or {@code WebAsyncTask}) under the {@link RoutingContext} of the
 * request that returned it, on whichever executor runs it: captured on the request's thread, opened on the async
 * thread around the call and closed after it.
 */
final class RoutingContextCallableInterceptor implements CallableProcessingInterceptor {
    private static final String CAPTURED = RoutingContextCallableInterceptor.class.getName() + ".context";
    private static final String SCOPE = RoutingContextCallableInterceptor.class.getName() + ".scope";

    @Override
    public <T> void beforeConcurrentHandling(NativeWebRequest request, Callable<T> task) {
        request.setAttribute(CAPTURED, RoutingContext.current(), RequestAttributes.SCOPE_REQUEST);
    }

    @Override
    public <T> void preProcess(NativeWebRequest request, Callable<T> task) {
        Object captured = request.getAttribute(CAPTURED, RequestAttributes.SCOPE_REQUEST);
        if (captured instanceof RoutingContext ctx) {
            request.setAttribute(SCOPE, ctx.open(), RequestAttributes.SCOPE_REQUEST);
        }
    }

    @Override
    public <T> void postProcess(NativeWebRequest request, Callable<T> task, @Nullable Object concurrentResult) {
        Object scope = request.getAttribute(SCOPE, RequestAttributes.SCOPE_REQUEST);
        if (scope instanceof RoutingContext.Scope s) {
            request.removeAttribute(SCOPE, RequestAttributes.SCOPE_REQUEST);
            s.close();
        }
    }
}
