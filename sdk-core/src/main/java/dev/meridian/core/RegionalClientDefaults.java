package dev.meridian.core;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;
import static org.apiguardian.api.API.Status.INTERNAL;
import static org.apiguardian.api.API.Status.STABLE;

import dev.meridian.core.execution.AnsweredAttempts;
import dev.meridian.core.internal.SettingRules;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.client.config.AwsAdvancedClientOption;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.RequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.client.builder.SdkAsyncClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.utils.ScheduledExecutorUtils;

/**
 * Per-region client settings that keep SDK retries from multiplying with Meridian's cross-region failover.
 *
 * <p>By default the AWS SDK retries a throttled or 503 DynamoDB call up to 9 times (with back-off) and a
 * blackholed attempt waits for the full socket timeout, so one bad region costs seconds before failover starts.
 * Apply {@link #overrideConfiguration()} to every per-region client builder: the standard AWS retry strategy
 * capped at {@value #MAX_ATTEMPTS} attempts per region, a {@link #ATTEMPT_TIMEOUT} attempt timeout, and the same
 * value as the whole call's timeout: a fast regional failure (503, throttling, reset) still gets one quick SDK retry,
 * but one region never costs more than one attempt timeout before Meridian moves to the next region (a blackholed
 * region does not cost {@code attempts × timeout}). Stateless; thread-safe.
 *
 * <p>It also installs Meridian's execution interceptor that reports every HTTP response of an attempt to the region's
 * health as it arrives (any status: a throttled or failed answer still shows the region is alive), so that a hedged
 * read cancelled while the SDK backs off after a throttled answer is not taken for a stalled region, but for the
 * throttled attempt it is (its table's breaker; the error code of an error answer is read for that). It does nothing
 * for requests made outside Meridian. A client built without these settings gets no such report: its region counts as
 * answering only when an attempt completes, and a hedged read's loser cancelled mid back-off counts as a stall.
 *
 * <p>And it gives the client Meridian's shared scheduler for the SDK's timeouts (unless the builder already has a
 * scheduled executor), through which a hedged synchronous read runs its first attempt on the caller's own thread
 * rather than handing it to a hedge thread: when the hedge wins, Meridian runs the SDK's call timeout early, the SDK's
 * own way to end a call blocked in a socket read (see {@link #releasesCallers}). The scheduler has one daemon thread,
 * started on first use and ended when idle; the SDK does not close a scheduler it was given, and this one needs no
 * closing. A client built without it (or whose HTTP client ignores the SDK's abort) hedges as before: every attempt of
 * a hedged synchronous read on a hedge thread, the caller waiting for the first success.
 *
 * <p>Per-region clients made like an application's existing client take {@link #overrideConfigurationLike}: what the
 * application set on it, with these settings where they matter; those made from a builder the application configured
 * take {@link #capped}, the same settings on that builder's.
 */
@API(status = STABLE, since = "0.1")
public final class RegionalClientDefaults {
    /** SDK attempts per region (first try + one retry). */
    public static final int MAX_ATTEMPTS = 2;
    /** Default per-attempt timeout. */
    public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    /** {@link #boundConnect}: the connect timeout is this share of the attempt timeout. */
    private static final int CONNECTS_PER_ATTEMPT = 4;

    private RegionalClientDefaults() {
    }

    /** The standard AWS retry strategy (retry conditions, back-off, token bucket) capped at {@code maxAttempts}. */
    public static RetryStrategy retryStrategy(int maxAttempts) {
        SettingRules.atLeast(maxAttempts, 1, "maxAttempts", "pass at least 1, e.g. " + MAX_ATTEMPTS + " (the default)");
        return AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).build();
    }

    /** Override configuration with {@value #MAX_ATTEMPTS} attempts and a {@link #ATTEMPT_TIMEOUT} attempt timeout. */
    public static ClientOverrideConfiguration overrideConfiguration() {
        return overrideConfiguration(MAX_ATTEMPTS, ATTEMPT_TIMEOUT);
    }

    /** Override configuration with the given attempts per region and attempt timeout (also the call timeout). */
    public static ClientOverrideConfiguration overrideConfiguration(int maxAttempts, Duration attemptTimeout) {
        return apply(ClientOverrideConfiguration.builder(), maxAttempts, attemptTimeout).build();
    }

    /**
     * Applies the capped retries and timeouts to an existing override configuration builder, and adds Meridian's
     * response interceptors (once each: {@code HeardAtTheWire}, {@link AnsweredAttempts}) to its interceptors.
     */
    public static ClientOverrideConfiguration.Builder apply(ClientOverrideConfiguration.Builder builder,
            int maxAttempts, Duration attemptTimeout) {
        Objects.requireNonNull(builder, "builder");
        SettingRules.positive(attemptTimeout, "attemptTimeout", "pass a timeout such as 2 s (the default)");
        if (!builder.executionInterceptors().contains(HeardAtTheWire.INSTANCE)) {
            builder.addExecutionInterceptor(HeardAtTheWire.INSTANCE);
        }
        if (!builder.executionInterceptors().contains(AnsweredAttempts.INSTANCE)) {
            builder.addExecutionInterceptor(AnsweredAttempts.INSTANCE);
        }
        if (builder.scheduledExecutorService() == null) {
            builder.scheduledExecutorService(SdkTimeoutScheduler.INSTANCE);
        }
        return builder.retryStrategy(retryStrategy(maxAttempts))
                .apiCallAttemptTimeout(attemptTimeout)
                .apiCallTimeout(attemptTimeout);
    }

    /**
     * Meridian's per-region settings on a copy of what the application set on an existing, built client: the override
     * configuration for per-region clients of {@code built}'s type (e.g. a {@code DynamoDbClient} bean), so that they
     * get the attempt cap and Meridian's timeout scheduler as clients made with {@link #overrideConfiguration()} do.
     *
     * <p><b>Kept</b> as the application set them: headers, execution interceptors (Meridian's response interceptor
     * added once), execution attributes, metric publishers, the call and attempt timeouts, the profile file and name,
     * compression, the app id and the advanced options (user agent prefix and suffix, signers, host prefix injection,
     * default region detection). The interceptors the SDK added itself when it built {@code built} are not copied, for
     * a client built from the copy adds them again: exactly those a plain client of {@code built}'s type lists (the
     * SDK's own, the class path's global and service interceptor files'), as many instances of each class as it has.
     * Any other, an SDK class the application added by hand included, is copied.
     *
     * <p><b>Timeouts</b>: Meridian's are ceilings. The attempt timeout is the application's when shorter than
     * {@link #ATTEMPT_TIMEOUT}, else that; the call timeout the application's when shorter than the attempt timeout,
     * else the attempt timeout: one region never holds a call longer than one attempt timeout before it fails over (a
     * client set up for one region, e.g. a 30 s call timeout for long scans, would otherwise hold every call to a
     * black-holed region that long). Other timeouts: a {@link RegionalClientFactory} of the application's own.
     *
     * <p><b>Replaced</b>: the retry strategy (and any retry policy, mode or configurator) by
     * {@link #retryStrategy(int) the standard one} capped at {@value #MAX_ATTEMPTS} attempts, or at the application's
     * own number when it is smaller (one attempt: retries stay off) — not {@code toBuilder()},
     * whose copy carries the built client's resolved strategy (DynamoDB's default: up to 9 attempts, sharing the
     * application client's token bucket), which a strategy set on the copy does not replace; and the scheduler the SDK
     * made for the built client (its own, shut down with it) by Meridian's timeout scheduler, which lets a won hedge
     * release a synchronous read's caller ({@link #releasesCallers}). A scheduler the application gave its client is
     * kept. Not carried by an override configuration at all, so not copied: credentials, region, endpoint and the HTTP
     * client (the SDK does not expose a built client's).
     *
     * @param built a client the SDK built, which implements its service's client interface (e.g. {@code DynamoDbClient},
     *     whose static {@code builder()} makes the plain client compared with); anything else is an
     *     {@link IllegalArgumentException}
     */
    @API(status = EXPERIMENTAL, since = "0.9")
    public static ClientOverrideConfiguration overrideConfigurationLike(SdkClient built) {
        Objects.requireNonNull(built, "built");
        List<ExecutionInterceptor> interceptors = SdkAddedInterceptors.applicationsOwn(built);
        ClientOverrideConfiguration o = built.serviceClientConfiguration().overrideConfiguration();
        ClientOverrideConfiguration.Builder b = ClientOverrideConfiguration.builder()
                .headers(o.headers())
                .executionInterceptors(interceptors)
                .executionAttributes(o.executionAttributes())
                .metricPublishers(o.metricPublishers());
        o.defaultProfileFileSupplier().ifPresent(b::defaultProfileFileSupplier);
        o.defaultProfileName().ifPresent(b::defaultProfileName);
        o.compressionConfiguration().ifPresent(b::compressionConfiguration);
        o.appId().ifPresent(b::appId);
        copy(o, b, SdkAdvancedClientOption.USER_AGENT_PREFIX);
        copy(o, b, SdkAdvancedClientOption.USER_AGENT_SUFFIX);
        copy(o, b, SdkAdvancedClientOption.SIGNER);
        copy(o, b, SdkAdvancedClientOption.TOKEN_SIGNER);
        copy(o, b, SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION);
        copy(o, b, AwsAdvancedClientOption.ENABLE_DEFAULT_REGION_DETECTION);
        // A built client names the scheduler the SDK made for it, or the application's wrapped as unmanaged.
        o.scheduledExecutorService().filter(s -> ScheduledExecutorUtils.unwrapUnmanagedScheduledExecutor(s) != s)
                .map(ScheduledExecutorUtils::unwrapUnmanagedScheduledExecutor).ifPresent(b::scheduledExecutorService);
        o.apiCallAttemptTimeout().ifPresent(b::apiCallAttemptTimeout);
        o.apiCallTimeout().ifPresent(b::apiCallTimeout);
        return capped(b, attempts(o.retryStrategy().orElse(null), o.retryPolicy().orElse(null))).build();
    }

    /**
     * Meridian's per-region settings on the override configuration of a client builder the application configured
     * (e.g. by Spring Cloud AWS's customizers), as {@link #overrideConfigurationLike} puts them on a built client's:
     * the retry strategy capped at {@value #MAX_ATTEMPTS} attempts (or the builder's own smaller number), Meridian's
     * response interceptor (once) and timeout scheduler (unless the builder has one), and Meridian's timeouts as
     * ceilings — the builder's attempt timeout when shorter than {@link #ATTEMPT_TIMEOUT}, else that; its call timeout
     * when shorter than the attempt timeout, else the attempt timeout. Everything else the builder has is kept.
     */
    @API(status = EXPERIMENTAL, since = "0.9")
    public static ClientOverrideConfiguration.Builder capped(ClientOverrideConfiguration.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        return capped(builder, attempts(builder.retryStrategy(), builder.retryPolicy()));
    }

    private static ClientOverrideConfiguration.Builder capped(ClientOverrideConfiguration.Builder builder,
            int attempts) {
        Duration attempt = shorter(builder.apiCallAttemptTimeout(), ATTEMPT_TIMEOUT);
        Duration call = shorter(builder.apiCallTimeout(), attempt);
        return apply(builder, attempts, attempt).apiCallTimeout(call);
    }

    /**
     * Attempts per region: {@value #MAX_ATTEMPTS}, or fewer where the application's retry strategy (or legacy retry
     * policy) allows fewer — an application that turned retries off (one attempt, e.g. so that an {@code ADD} is never
     * sent twice) keeps them off. A retry mode or configurator alone says no number here: the cap.
     */
    private static int attempts(@Nullable RetryStrategy strategy, @Nullable RetryPolicy policy) {
        if (strategy != null) {
            return Math.max(1, Math.min(strategy.maxAttempts(), MAX_ATTEMPTS));
        }
        Integer retries = policy == null ? null : policy.numRetries();
        return retries == null ? MAX_ATTEMPTS : Math.max(1, Math.min(retries + 1, MAX_ATTEMPTS));
    }

    /** The application's timeout where it set one shorter than {@code ceiling}, else {@code ceiling}. */
    private static Duration shorter(@Nullable Duration set, Duration ceiling) {
        return set != null && set.compareTo(ceiling) < 0 ? set : ceiling;
    }

    private static <T> void copy(ClientOverrideConfiguration from, ClientOverrideConfiguration.Builder to,
            SdkAdvancedClientOption<T> option) {
        from.advancedOption(option).ifPresent(value -> to.putAdvancedOption(option, value));
    }

    /**
     * Gives an async per-region client whose HTTP client Meridian chooses (built without a factory of the
     * application's, or made like the application's client, whose HTTP client the SDK does not expose) the SDK's
     * default Netty client with a connection-acquire timeout of half {@code attemptTimeout}, when the SDK would use
     * Netty (its system setting names it, or, without one, it is on the class path); else leaves the builder as it is.
     * Netty sometimes loses a refused connect of a pool that has never connected, and the acquire then waits for its
     * timeout, 10 s by default: past the attempt timeout, a failure that may have applied a write, so the write would
     * not move to the next region. Half the attempt timeout leaves room for one SDK retry of a refused connect
     * (refused at once, then its back-off) whose acquire is lost too. An acquire timeout is a failure that applied
     * nothing ({@code FailureClassifier.aws()}): the write moves. See docs/exactly-once.md.
     */
    @API(status = INTERNAL, since = "0.1")
    public static void boundAcquire(SdkAsyncClientBuilder<?, ?> builder, Duration attemptTimeout) {
        Objects.requireNonNull(builder, "builder");
        SettingRules.positive(attemptTimeout, "attemptTimeout", "pass a timeout such as 2 s (the default)");
        if (nettyIsSdkDefault()) {
            NettyAcquireTimeout.apply(builder, attemptTimeout.dividedBy(2));
        }
    }

    /**
     * Gives a synchronous per-region client whose HTTP client Meridian chooses (built without a factory of the
     * application's, or made like the application's client, whose HTTP client the SDK does not expose) the SDK's default
     * HTTP client with a connect timeout of a quarter of {@code attemptTimeout}. The SDK's own connect timeout (2 s) is
     * not shorter than Meridian's call timeout (the attempt timeout): a warm client opening a new connection to a region
     * that drops connects ends in the call timeout, which is ambiguous, and the write would not move. A quarter lets
     * both SDK attempts' connect timeouts and their back-off end within the call, as a connect timeout, which applied
     * nothing ({@code FailureClassifier.aws()}): the write moves. See docs/exactly-once.md.
     */
    @API(status = INTERNAL, since = "0.1")
    public static void boundConnect(SdkSyncClientBuilder<?, ?> builder, Duration attemptTimeout) {
        Objects.requireNonNull(builder, "builder");
        SettingRules.positive(attemptTimeout, "attemptTimeout", "pass a timeout such as 2 s (the default)");
        builder.httpClientBuilder(new BoundConnect(attemptTimeout.dividedBy(CONNECTS_PER_ATTEMPT)));
    }

    private static boolean nettyIsSdkDefault() {
        String netty = "software.amazon.awssdk.http.nio.netty.NettySdkAsyncHttpService";
        Optional<String> chosen = SdkSystemSetting.ASYNC_HTTP_SERVICE_IMPL.getStringValue();
        if (chosen.isPresent()) {
            return chosen.get().equals(netty);
        }
        try {
            Class.forName(netty, false, RegionalClientDefaults.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Whether a hedged synchronous read can run its first attempt through {@code client} on the caller's own thread:
     * an AWS SDK client with a call timeout that schedules its timeouts on Meridian's scheduler (built with
     * {@link #apply} or {@link #overrideConfiguration}). Anything else — another client, a client with its own
     * scheduler or without a call timeout — is not, and its attempts run on hedge threads.
     */
    @API(status = INTERNAL, since = "0.1")
    public static boolean releasesCallers(Object client) {
        return CallerRelease.releasesCallers(client);
    }

    /**
     * Whether {@code request} keeps its client's call timeout, which a won hedge releases the caller through
     * ({@link #releasesCallers}): false for an SDK request whose own override configuration sets a call timeout under
     * one millisecond, which the SDK counts in whole milliseconds and so never schedules. Such a request leaves the
     * hedge no SDK timer to ride (or only an attempt timeout, which ends with its attempt) and a won hedge nothing to
     * release the caller with: its hedged read runs its attempts on hedge threads.
     */
    @API(status = INTERNAL, since = "0.1")
    public static boolean keepsCallTimeout(@Nullable Object request) {
        if (!(request instanceof SdkRequest sdk)) {
            return true;
        }
        Optional<? extends RequestOverrideConfiguration> own = sdk.overrideConfiguration();
        if (own.isEmpty()) {
            return true;
        }
        Optional<Duration> callTimeout = own.get().apiCallTimeout();
        return callTimeout.isEmpty() || callTimeout.get().toMillis() > 0;
    }
}
