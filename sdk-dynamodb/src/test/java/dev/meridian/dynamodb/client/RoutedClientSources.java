package dev.meridian.dynamodb.client;

import dev.meridian.core.routing.RoutingContext;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;

/**
 * Generates {@code RoutedDynamoDbClient} and {@code RoutedDynamoDbAsyncClient} from the AWS SDK's client interfaces:
 * every operation method is handed to the routed-client engine, every paginator is built over a view of the client
 * pinned to the context current when the paginator is made. The sources are checked in (so a reader sees plain
 * Java and a cold start loads no proxy); {@link RoutedClientSourcesTest} fails when they differ from what this
 * generates for the SDK on the classpath. Regenerate with
 * {@code mvn -pl sdk-dynamodb -am test -Dtest=RoutedClientSourcesTest -Dmeridian.regenerate=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
final class RoutedClientSources {
    static final Path DIR = Path.of("src/main/java/dev/meridian/dynamodb/client");

    private RoutedClientSources() {
    }

    /** The operation methods: one request parameter, a DynamoDbRequest. */
    static List<Method> operations(Class<?> iface) {
        return methods(iface).stream()
                .filter(m -> m.getParameterCount() == 1 && DynamoDbRequest.class.isAssignableFrom(m.getParameterTypes()[0])
                        && !m.getName().endsWith("Paginator"))
                .collect(Collectors.toList());
    }

    /** The paginator methods taking a request. */
    static List<Method> paginators(Class<?> iface) {
        return methods(iface).stream()
                .filter(m -> m.getParameterCount() == 1 && DynamoDbRequest.class.isAssignableFrom(m.getParameterTypes()[0])
                        && m.getName().endsWith("Paginator"))
                .collect(Collectors.toList());
    }

    /** Public, non-static, non-bridge methods of the interface, in a stable order. */
    static List<Method> methods(Class<?> iface) {
        return Arrays.stream(iface.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()) && !m.isBridge() && !m.isSynthetic())
                .filter(m -> m.getDeclaringClass() != Object.class)
                .sorted(Comparator.comparing(Method::getName).thenComparing(m -> Arrays.toString(m.getParameterTypes())))
                .collect(Collectors.toList());
    }

    static String sync() {
        return source(DynamoDbClient.class, "RoutedDynamoDbClient", "DynamoDbRequestModel", false);
    }

    static String async() {
        return source(DynamoDbAsyncClient.class, "RoutedDynamoDbAsyncClient", "DynamoDbAsyncRequestModel", true);
    }

    private static String source(Class<?> iface, String name, String modelType, boolean async) {
        String ifaceName = iface.getSimpleName();
        StringBuilder s = new StringBuilder();
        s.append("package dev.meridian.dynamodb.client;\n\n");
        s.append("import dev.meridian.core.routing.RoutingContext;\n");
        if (async) {
            s.append("import org.jspecify.annotations.Nullable;\n");
            s.append("import java.util.concurrent.CompletableFuture;\n");
        } else {
            s.append("import java.util.function.BiFunction;\n");
            s.append("import org.jspecify.annotations.Nullable;\n");
        }
        s.append("import software.amazon.awssdk.services.dynamodb.").append(ifaceName).append(";\n");
        s.append("import software.amazon.awssdk.services.dynamodb.DynamoDbServiceClientConfiguration;\n");
        s.append("import software.amazon.awssdk.services.dynamodb.model.*;\n");
        s.append("import software.amazon.awssdk.services.dynamodb.paginators.*;\n");
        s.append("import software.amazon.awssdk.services.dynamodb.waiters.").append(async ? "DynamoDbAsyncWaiter" : "DynamoDbWaiter").append(";\n\n");
        s.append("/**\n");
        s.append(" * The multi-region {@link ").append(ifaceName).append("}: every operation goes through the routed-client engine\n");
        s.append(" * ({@link ").append(modelType).append("}) with the caller's {@link RoutingContext}; paginators and the waiter run over a view\n");
        s.append(" * pinned to the context current when they were made, so every page and poll is routed under it. Convenience\n");
        s.append(" * overloads (consumer builders, no-argument forms) are the interface's default methods and call these.\n");
        if (!async) {
            s.append(" *\n");
            s.append(" * <p>Each operation is handed on as its {@link Call}, which {@link #send} applies to a region's client in one\n");
            s.append(" * switch: no method reference per operation, whose bootstrap entries every cold start loads and whose class the\n");
            s.append(" * first call of each spins (each operation's name and descriptor are in this class anyway).\n");
        }
        s.append(" *\n");
        s.append(" * <p>GENERATED by {@code RoutedClientSources} (sdk-dynamodb tests) from the AWS SDK's interface; do not edit.\n");
        s.append(" */\n");
        s.append("final class ").append(name).append(" implements ").append(ifaceName).append(" {\n");
        if (!async) {
            s.append("    /** Each operation's call, indexed by its {@link Op} number. */\n");
            s.append("    private static final Call[] CALLS = Call.all(");
            List<Method> ops = operations(iface);
            for (int i = 0; i < ops.size(); i++) {
                s.append(i == 0 ? "" : ",").append("\n            \"").append(ops.get(i).getName()).append('"');
            }
            s.append(");\n\n");
        }
        s.append("    private final ").append(modelType).append(" model;\n");
        s.append("    private final @Nullable RoutingContext pinned;\n\n");
        s.append("    ").append(name).append("(").append(modelType).append(" model, @Nullable RoutingContext pinned) {\n");
        s.append("        this.model = model;\n");
        s.append("        this.pinned = pinned;\n");
        s.append("    }\n\n");
        s.append("    private RoutingContext context() {\n");
        s.append("        return pinned != null ? pinned : RoutingContext.current();\n");
        s.append("    }\n\n");
        s.append("    /** This client with the current context pinned: for paginators and waiters used later. */\n");
        s.append("    private ").append(name).append(" pinnedView() {\n");
        s.append("        return pinned != null ? this : new ").append(name).append("(model, RoutingContext.current());\n");
        s.append("    }\n\n");
        s.append("    @Override\n    public String serviceName() {\n        return SERVICE_NAME;\n    }\n\n");
        s.append("    @Override\n    public DynamoDbServiceClientConfiguration serviceClientConfiguration() {\n");
        s.append("        return model.localClient().serviceClientConfiguration();\n    }\n\n");
        s.append("    @Override\n    public ").append(async ? "DynamoDbAsyncWaiter" : "DynamoDbWaiter").append(" waiter() {\n");
        s.append("        return model.waiter(pinnedView());\n    }\n\n");
        s.append("    /** Closes the per-region clients and what the client owns; a pinned view owns nothing. */\n");
        s.append("    @Override\n    public void close() {\n        if (pinned == null) {\n            model.close();\n        }\n    }\n\n");
        s.append("    @Override\n    public String toString() {\n        return model.toString();\n    }\n\n");
        s.append("    ").append(modelType).append(" model() {\n        return model;\n    }\n");
        if (!async) {
            syncOperations(iface, s);
        }
        for (Method m : async ? operations(iface) : List.<Method>of()) {
            String req = m.getParameterTypes()[0].getSimpleName();
            String resp = async ? "CompletableFuture<" + futureArg(m) + ">" : m.getReturnType().getSimpleName();
            s.append("\n    @Override\n    public ").append(resp).append(' ').append(m.getName()).append('(').append(req)
                    .append(" request) {\n");
            s.append("        return model.").append(async ? "callAsync" : "call").append("(\"").append(m.getName())
                    .append("\", request, context(), ").append(ifaceName).append("::").append(m.getName()).append(");\n");
            s.append("    }\n");
        }
        for (Method m : paginators(iface)) {
            String req = m.getParameterTypes()[0].getSimpleName();
            String ret = m.getReturnType().getSimpleName();
            s.append("\n    @Override\n    public ").append(ret).append(' ').append(m.getName()).append('(').append(req)
                    .append(" request) {\n");
            s.append("        return new ").append(ret).append("(pinnedView(), request);\n");
            s.append("    }\n");
        }
        if (!async) {
            syncDispatch(iface, s);
        }
        s.append("}\n");
        return s.toString();
    }

    /**
     * The sync client's operation methods: each hands its {@code Op} number to {@code call}. Then (syncDispatch)
     * {@code send} applies an operation to a region's client, {@code Call} is the engine's function of one operation,
     * {@code Op} numbers them.
     */
    private static void syncOperations(Class<?> iface, StringBuilder s) {
        List<Method> ops = operations(iface);
        s.append("\n    private Object call(int op, DynamoDbRequest request) {\n");
        s.append("        return model.call(CALLS[op], request, context());\n    }\n");
        for (Method m : ops) {
            String req = m.getParameterTypes()[0].getSimpleName();
            String resp = m.getReturnType().getSimpleName();
            s.append("\n    @Override\n    public ").append(resp).append(' ').append(m.getName()).append('(').append(req)
                    .append(" request) {\n");
            s.append("        return (").append(resp).append(") call(Op.").append(constant(m.getName()))
                    .append(", request);\n");
            s.append("    }\n");
        }
    }

    private static void syncDispatch(Class<?> iface, StringBuilder s) {
        List<Method> ops = operations(iface);
        s.append("\n    /** Applies operation {@code op} ({@link Op}) to a region's client. */\n");
        s.append("    private static Object send(int op, DynamoDbClient client, DynamoDbRequest request) {\n");
        s.append("        return switch (op) {\n");
        for (Method m : ops) {
            s.append("            case Op.").append(constant(m.getName())).append(" -> client.").append(m.getName())
                    .append("((").append(m.getParameterTypes()[0].getSimpleName()).append(") request);\n");
        }
        s.append("            default -> throw new AssertionError(op); // unreachable: every Op number has a case\n");
        s.append("        };\n    }\n\n");
        s.append("    /** One operation, as the routed-client engine applies it to a region's client; one instance each. */\n");
        s.append("    static final class Call implements BiFunction<DynamoDbClient, DynamoDbRequest, Object> {\n");
        s.append("        /** The operation's name, as routed (the method's). */\n");
        s.append("        final String name;\n");
        s.append("        private final int op;\n\n");
        s.append("        private Call(String name, int op) {\n");
        s.append("            this.name = name;\n");
        s.append("            this.op = op;\n        }\n\n");
        s.append("        /** The calls of {@code names}, numbered in order. */\n");
        s.append("        static Call[] all(String... names) {\n");
        s.append("            Call[] calls = new Call[names.length];\n");
        s.append("            for (int i = 0; i < names.length; i++) {\n");
        s.append("                calls[i] = new Call(names[i], i);\n            }\n");
        s.append("            return calls;\n        }\n\n");
        s.append("        @Override\n        public Object apply(DynamoDbClient client, DynamoDbRequest request) {\n");
        s.append("            return send(op, client, request);\n        }\n\n");
        s.append("        @Override\n        public String toString() {\n            return name;\n        }\n    }\n\n");
        s.append("    /** The operations' numbers ({@link #CALLS}' indexes); compile-time constants, so never loaded. */\n");
        s.append("    private static final class Op {\n");
        for (int i = 0; i < ops.size(); i++) {
            s.append("        static final int ").append(constant(ops.get(i).getName())).append(" = ").append(i).append(";\n");
        }
        s.append("\n        private Op() {\n        }\n    }\n");
    }

    /** {@code getItem} as {@code GET_ITEM}. */
    private static String constant(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
    }

    private static String futureArg(Method m) {
        Type t = m.getGenericReturnType();
        if (!(t instanceof ParameterizedType p) || p.getRawType() != CompletableFuture.class) {
            throw new IllegalStateException(m + " does not return a CompletableFuture");
        }
        return ((Class<?>) p.getActualTypeArguments()[0]).getSimpleName();
    }

    /** Writes both sources (run from the sdk-dynamodb module directory). */
    static void write() throws Exception {
        Files.writeString(DIR.resolve("RoutedDynamoDbClient.java"), sync());
        Files.writeString(DIR.resolve("RoutedDynamoDbAsyncClient.java"), async());
    }
}
