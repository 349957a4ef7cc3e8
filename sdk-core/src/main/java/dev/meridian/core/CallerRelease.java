package dev.meridian.core;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.concurrent.ScheduledExecutorService;
import org.apiguardian.api.API;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.utils.ScheduledExecutorUtils;

/**
 * Whether a won hedge can release a synchronous read's caller through a client (the rule of
 * {@link RegionalClientDefaults#releasesCallers}). A class of its own, which a region's first call asks, so that a
 * client built without {@link RegionalClientDefaults} (whose application then never loaded that class) does not load
 * it there: cold start.
 */
@API(status = INTERNAL, since = "0.1")
public final class CallerRelease {
    private CallerRelease() {
    }

    /** See {@link RegionalClientDefaults#releasesCallers}. */
    public static boolean releasesCallers(Object client) {
        if (!(client instanceof SdkClient sdk)) {
            return false;
        }
        ClientOverrideConfiguration o;
        try {
            o = sdk.serviceClientConfiguration().overrideConfiguration();
        } catch (RuntimeException e) {
            return false; // a client that does not describe its configuration (a test double)
        }
        ScheduledExecutorService timer = o.scheduledExecutorService().orElse(null);
        return o.apiCallTimeout().isPresent() && timer != null
                && ScheduledExecutorUtils.unwrapUnmanagedScheduledExecutor(timer) == SdkTimeoutScheduler.INSTANCE;
    }
}
