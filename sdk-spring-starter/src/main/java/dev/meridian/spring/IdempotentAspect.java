package dev.meridian.spring;

import dev.meridian.core.idempotency.Idempotency;
import dev.meridian.core.idempotency.ResultCodec;
import dev.meridian.core.routing.RoutingContext;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;
import org.aspectj.lang.reflect.MethodSignature;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * Runs {@link Idempotent} methods through {@link Idempotency#execute}: the key and payload from the annotation's
 * expressions (parsed once per method), the result stored with the {@link IdempotentSerialization}'s codec.
 * Checked exceptions of the method reach the caller unchanged.
 */
@Aspect
class IdempotentAspect {
    /** What a void method stores: an empty result, replayed as nothing. */
    private static final ResultCodec<Object> VOID = ResultCodec.of(v -> new byte[0], b -> Boolean.TRUE);

    /**
     * Return types whose value promises the outcome rather than being it: storing one would record the call as done
     * before its work finished (or failed), and a duplicate would get no result (a future that never completes).
     */
    private static final List<Class<?>> DEFERRED =
            List.of(Future.class, CompletionStage.class, Publisher.class, Flow.Publisher.class);

    private final Idempotency idempotency;
    private final IdempotentSerialization serialization;
    private final SpelExpressionParser parser = new SpelExpressionParser();
    private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();
    private final Map<Method, Plan> plans = new ConcurrentHashMap<>();

    public IdempotentAspect(Idempotency idempotency, IdempotentSerialization serialization) {
        this.idempotency = Objects.requireNonNull(idempotency, "idempotency");
        this.serialization = Objects.requireNonNull(serialization, "serialization");
    }

    /** Runs the call once per key; duplicates get the stored result. */
    @Around("@annotation(idempotent)")
    public @Nullable Object around(ProceedingJoinPoint call, Idempotent idempotent) throws Throwable {
        Method method = ((MethodSignature) call.getSignature()).getMethod();
        Plan plan = plans.computeIfAbsent(method, m -> plan(m, idempotent));
        Object[] args = call.getArgs();
        Root root = new Root(method, args);
        String key = plan.name + "#" + key(plan, root);
        byte[] payload = serialization.payload(plan.payload == null ? args : evaluate(plan.payload, root));
        try {
            Object result = idempotency.execute(key, payload, () -> proceed(call, plan.isVoid), plan.codec);
            return plan.isVoid ? null : result;
        } catch (CheckedFailure e) {
            throw e.getCause();
        }
    }

    private Plan plan(Method method, Idempotent idempotent) {
        Class<?> returns = method.getReturnType();
        boolean isVoid = returns == void.class || returns == Void.class;
        String name = idempotent.name().isBlank()
                ? method.getDeclaringClass().getSimpleName() + "." + method.getName() : idempotent.name();
        if (DEFERRED.stream().anyMatch(type -> type.isAssignableFrom(returns))) {
            throw new IllegalStateException("@Idempotent method " + method.getDeclaringClass().getSimpleName() + "."
                    + method.getName() + " returns " + returns.getSimpleName() + ", a result that is not there yet:"
                    + " it cannot be stored for duplicates; put @Idempotent on a method that does the work and returns"
                    + " its result, and call that one asynchronously");
        }
        return new Plan(name, parse(idempotent.key()), parse(idempotent.payload()), isVoid,
                isVoid ? VOID : serialization.resultCodec(method));
    }

    private @Nullable Expression parse(String expression) {
        return expression.isBlank() ? null : parser.parseExpression(expression);
    }

    private String key(Plan plan, Root root) {
        Object key = plan.key == null ? root.getRequestKey() : evaluate(plan.key, root);
        if (key == null || key.toString().isBlank()) {
            throw new IdempotencyKeyMissingException("@Idempotent method " + plan.name + " was called without a key: "
                    + (plan.key == null ? "the request has no Idempotency-Key (send the header, or set the"
                            + " annotation's key expression)" : "its key expression evaluated to null or blank"));
        }
        return key.toString();
    }

    private @Nullable Object evaluate(Expression expression, Root root) {
        return expression.getValue(new MethodBasedEvaluationContext(root, root.method, root.args, parameterNames));
    }

    private static @Nullable Object proceed(ProceedingJoinPoint call, boolean isVoid) {
        try {
            Object result = call.proceed();
            return isVoid ? Boolean.TRUE : result;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new CheckedFailure(e);
        }
    }

    /** Carries a checked exception of the method through {@code Idempotency.execute}'s supplier. */
    private static final class CheckedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CheckedFailure(Throwable cause) {
            super(cause);
        }
    }

    /** What is fixed per method: the record namespace, the parsed expressions and the result codec. */
    private record Plan(String name, @Nullable Expression key, @Nullable Expression payload, boolean isVoid,
            ResultCodec<Object> codec) {
    }

    /** The root object of the key and payload expressions. */
    public static final class Root {
        private final Method method;
        private final Object[] args;

        Root(Method method, Object[] args) {
            this.method = method;
            this.args = args;
        }

        /** The current {@code RoutingContext}'s idempotency key (the request's header), or null. */
        public @Nullable String getRequestKey() {
            return RoutingContext.current().idempotencyKey().orElse(null);
        }

        /** The call's arguments. */
        public Object[] getArgs() {
            return args.clone();
        }

        /** The method's name. */
        public String getMethodName() {
            return method.getName();
        }
    }
}
