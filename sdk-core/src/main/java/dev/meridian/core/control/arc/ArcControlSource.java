package dev.meridian.core.control.arc;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.meridian.core.control.ControlState;
import dev.meridian.core.control.RegionControlEntry;
import dev.meridian.core.control.RegionControlSource;
import dev.meridian.core.control.RegionControlState;
import dev.meridian.core.internal.SettingRules;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53recoverycluster.Route53RecoveryClusterClient;
import software.amazon.awssdk.services.route53recoverycluster.model.RoutingControl;
import software.amazon.awssdk.services.route53recoverycluster.model.RoutingControlState;

/**
 * Region controls from ARC routing controls: each Meridian region maps to one routing control ARN (On = ON, Off =
 * OFF; ARC has no weights). As AWS documents for the data plane, a read tries the cluster's regional endpoints in a
 * random order, each with a short timeout and no retry, and moves to the next endpoint when one fails. With a control
 * panel ARN one {@code ListRoutingControls} (paginated) reads every control at once; without, one
 * {@code GetRoutingControlState} per mapped control. ARC's data plane publishes no read rate: for a large fleet,
 * mirror it into the control table (docs/fleet-control.md). Reads come from one poller thread.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ArcControlSource implements RegionControlSource {
    /** The default timeout of one endpoint's call. */
    public static final Duration DEFAULT_ENDPOINT_TIMEOUT = Duration.ofSeconds(1);

    private final List<Route53RecoveryClusterClient> clients;
    private final List<URI> endpoints;
    private final Map<Region, String> controls;
    private final @Nullable String controlPanelArn;

    private ArcControlSource(Builder b) {
        SettingRules.check(!b.endpoints.isEmpty(), "meridian.control.arc.endpoints", "must list at least one endpoint",
                b.endpoints, "list the cluster's regional endpoints (aws route53-recovery-control-config"
                        + " describe-cluster)");
        SettingRules.check(!b.controls.isEmpty(), "meridian.control.arc.controls", "must map at least one region",
                b.controls, "map each region to its routing control ARN");
        Duration timeout = SettingRules.positive(b.timeout, "meridian.control.arc.timeout", "use e.g. 1s");
        this.endpoints = List.copyOf(b.endpoints.keySet());
        this.controls = Collections.unmodifiableMap(new LinkedHashMap<>(b.controls));
        this.controlPanelArn = b.controlPanelArn;
        Function<Endpoint, Route53RecoveryClusterClient> factory = b.clientFactory != null ? b.clientFactory
                : e -> Route53RecoveryClusterClient.builder().endpointOverride(e.uri()).region(e.region())
                        .credentialsProvider(b.credentials != null ? b.credentials
                                : DefaultCredentialsProvider.builder().build())
                        .applyMutation(c -> {
                            if (b.httpClient != null) {
                                c.httpClient(b.httpClient);
                            }
                        })
                        .overrideConfiguration(o -> o.apiCallTimeout(timeout).apiCallAttemptTimeout(timeout)
                                .retryStrategy(AwsRetryStrategy.doNotRetry()))
                        .build();
        List<Route53RecoveryClusterClient> built = new ArrayList<>();
        b.endpoints.forEach((uri, region) -> built.add(factory.apply(new Endpoint(uri, region))));
        this.clients = List.copyOf(built);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One cluster endpoint: its URL and the region it signs requests for. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public record Endpoint(URI uri, Region region) {
    }

    @Override
    public String name() {
        return "arc";
    }

    /**
     * The mapped controls' states from the first endpoint (in a random order) that answers every one.
     *
     * @throws IllegalStateException when no endpoint answers (each failure suppressed in it)
     */
    @Override
    public RegionControlState read() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, ThreadLocalRandom.current());
        List<RuntimeException> failures = new ArrayList<>();
        for (int i : order) {
            try {
                return readFrom(clients.get(i));
            } catch (SdkException | IllegalStateException e) {
                failures.add(e);
            }
        }
        IllegalStateException e = new IllegalStateException("No ARC cluster endpoint answered: " + endpoints);
        failures.forEach(e::addSuppressed);
        throw e;
    }

    private RegionControlState readFrom(Route53RecoveryClusterClient client) {
        Map<Region, RegionControlEntry> entries = new LinkedHashMap<>();
        if (controlPanelArn != null) {
            Map<String, RoutingControlState> byArn = new HashMap<>();
            for (RoutingControl c : client.listRoutingControlsPaginator(r -> r.controlPanelArn(controlPanelArn))
                    .routingControls()) {
                byArn.put(c.routingControlArn(), c.routingControlState());
            }
            controls.forEach((region, arn) -> {
                RoutingControlState s = byArn.get(arn);
                if (s == null) {
                    throw new IllegalStateException("Routing control " + arn + " of " + region.id()
                            + " is not in control panel " + controlPanelArn);
                }
                entries.put(region, RegionControlEntry.of(state(s, arn)));
            });
        } else {
            controls.forEach((region, arn) -> entries.put(region, RegionControlEntry.of(state(
                    client.getRoutingControlState(r -> r.routingControlArn(arn)).routingControlState(), arn))));
        }
        return RegionControlState.of(entries);
    }

    private static ControlState state(RoutingControlState s, String arn) {
        switch (s) {
            case ON:
                return ControlState.ON;
            case OFF:
                return ControlState.OFF;
            default:
                throw new IllegalStateException("Routing control " + arn + " answered an unknown state " + s);
        }
    }

    @Override
    public void close() {
        clients.forEach(Route53RecoveryClusterClient::close);
    }

    /** Builder of {@link ArcControlSource}; not thread-safe. */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private final Map<URI, Region> endpoints = new LinkedHashMap<>();
        private final Map<Region, String> controls = new LinkedHashMap<>();
        private @Nullable String controlPanelArn;
        private Duration timeout = DEFAULT_ENDPOINT_TIMEOUT;
        private @Nullable AwsCredentialsProvider credentials;
        private @Nullable Function<Endpoint, Route53RecoveryClusterClient> clientFactory;
        private @Nullable SdkHttpClient httpClient;

        private Builder() {
        }

        /** A cluster endpoint (e.g. {@code https://host-dsqpa2.route53-recovery-cluster.us-west-2.amazonaws.com/v1}). */
        public Builder endpoint(URI uri, Region region) {
            endpoints.put(Objects.requireNonNull(uri, "uri"), Objects.requireNonNull(region, "region"));
            return this;
        }

        /** Maps a Meridian region to its routing control. */
        public Builder control(Region region, String routingControlArn) {
            controls.put(Objects.requireNonNull(region, "region"), SettingRules.notBlank(routingControlArn,
                    "meridian.control.arc.controls." + region.id(), "give the routing control's ARN"));
            return this;
        }

        /** Reads every control with one {@code ListRoutingControls} of this control panel. */
        public Builder controlPanelArn(String arn) {
            this.controlPanelArn = arn;
            return this;
        }

        /** The timeout of one endpoint's call (default 1 s); no retry, the next endpoint is the retry. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Credentials to sign with (default: the SDK's default chain). */
        public Builder credentialsProvider(AwsCredentialsProvider credentials) {
            this.credentials = credentials;
            return this;
        }

        /** The HTTP client of every endpoint's client (not closed by the source), instead of the SDK's default. */
        public Builder httpClient(SdkHttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        /** Builds each endpoint's client instead of the default (short timeout, no retry). */
        public Builder clientFactory(Function<Endpoint, Route53RecoveryClusterClient> factory) {
            this.clientFactory = factory;
            return this;
        }

        public ArcControlSource build() {
            return new ArcControlSource(this);
        }
    }
}
