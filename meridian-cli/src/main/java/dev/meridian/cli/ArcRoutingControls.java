package dev.meridian.cli;

import dev.meridian.core.execution.FailureClassifier;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53recoverycluster.Route53RecoveryClusterClient;
import software.amazon.awssdk.services.route53recoverycluster.model.ConflictException;
import software.amazon.awssdk.services.route53recoverycluster.model.EndpointTemporarilyUnavailableException;
import software.amazon.awssdk.services.route53recoverycluster.model.InternalServerException;
import software.amazon.awssdk.services.route53recoverycluster.model.RoutingControlState;
import software.amazon.awssdk.services.route53recoverycluster.model.ThrottlingException;
import software.amazon.awssdk.services.route53recoverycluster.model.UpdateRoutingControlStateEntry;

/**
 * Region states as ARC routing controls (one control per region, ON/OFF; no weights), through the AWS SDK's
 * {@code route53recoverycluster} client. As AWS advises for the data plane, the cluster's regional endpoints are
 * tried in random order, each with a short timeout and no retry, until one answers; ARC has no versions, so writes
 * are not conditional. ARC's own safety rules apply on top of the CLI's.
 */
final class ArcRoutingControls implements ControlPlane {
    /** Per endpoint; its region signs the request. */
    private final Map<String, Route53RecoveryClusterClient> endpoints = new TreeMap<>();
    /** Region id → routing control ARN. */
    private final Map<String, String> controls;

    /**
     * @param endpoints cluster endpoint region → its URL
     * @param controls  Meridian region id → routing control ARN
     */
    ArcRoutingControls(Map<String, URI> endpoints, Map<String, String> controls, Duration timeout) {
        this.controls = new TreeMap<>(controls);
        endpoints.forEach((region, url) -> this.endpoints.put(region + " " + url, Route53RecoveryClusterClient.builder()
                .region(Region.of(region))
                .endpointOverride(url)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout))
                .overrideConfiguration(o -> o.apiCallTimeout(timeout).retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()));
    }

    @Override
    public Map<String, RegionState> regions() {
        Map<String, RegionState> regions = new TreeMap<>();
        controls.forEach((region, arn) -> {
            RoutingControlState state = firstAnswering(c -> c.getRoutingControlState(g -> g.routingControlArn(arn))
                    .routingControlState());
            regions.put(region, new RegionState(region, state == RoutingControlState.ON, null, 0, true, null, null));
        });
        return regions;
    }

    /** ARC has no versions: {@code judgedOn} cannot be checked (ARC's own safety rules are, atomically, by ARC). */
    @Override
    public void write(Collection<RegionState> changed, Collection<RegionState> judgedOn, String by) {
        List<UpdateRoutingControlStateEntry> entries = new ArrayList<>();
        for (RegionState s : changed) {
            String arn = controls.get(s.region());
            if (arn == null) {
                throw new CliFailure(ExitCodes.USAGE, "no routing control for region " + s.region()
                        + "; pass --arc-control " + s.region() + "=<routing control ARN>");
            }
            entries.add(UpdateRoutingControlStateEntry.builder().routingControlArn(arn)
                    .routingControlState(s.on() ? RoutingControlState.ON : RoutingControlState.OFF).build());
        }
        AtomicBoolean reached = new AtomicBoolean();
        try {
            firstAnswering(c -> {
                try {
                    return c.updateRoutingControlStates(u -> u.updateRoutingControlStateEntries(entries));
                } catch (SdkException e) {
                    reached.compareAndSet(false, FailureClassifier.aws().classify(e).mayHaveBeenApplied());
                    throw e;
                }
            });
        } catch (CliFailure failure) {
            if (failure.exitCode() != ExitCodes.UNREACHABLE || !reached.get() || !applied(changed, failure)) {
                throw failure;
            }
        }
    }

    /**
     * After an update no endpoint answered but one may have received (its answer lost): whether the controls now hold
     * the states asked for (ARC's states are idempotent, so that is the change in force). When they cannot be read
     * either, the operator is told the change may have been applied instead of "nothing was written".
     */
    private boolean applied(Collection<RegionState> changed, CliFailure failure) {
        Map<String, RegionState> read;
        try {
            read = regions();
        } catch (CliFailure unreadable) {
            throw new CliFailure(ExitCodes.UNREACHABLE, "the answer to the update of the routing controls was lost "
                    + "and they cannot be read back (" + unreadable.getMessage() + "): the change may have been "
                    + "applied; run status before re-running", failure);
        }
        Map<String, RegionState> now = read;
        return changed.stream().allMatch(s -> Optional.ofNullable(now.get(s.region())).filter(r -> r.on() == s.on())
                .isPresent());
    }

    @Override
    public boolean supportsWeights() {
        return false;
    }

    @Override
    public String describe() {
        return "ARC routing controls " + controls;
    }

    @Override
    public void close() {
        endpoints.values().forEach(Route53RecoveryClusterClient::close);
    }

    /** The answer of the first endpoint, in random order, that gives one. */
    private <T> T firstAnswering(Function<Route53RecoveryClusterClient, T> call) {
        List<Map.Entry<String, Route53RecoveryClusterClient>> order = new ArrayList<>(endpoints.entrySet());
        Collections.shuffle(order);
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Route53RecoveryClusterClient> endpoint : order) {
            try {
                return call.apply(endpoint.getValue());
            } catch (SdkClientException | InternalServerException | EndpointTemporarilyUnavailableException
                    | ThrottlingException e) {
                failures.add(endpoint.getKey() + ": " + e.getMessage());
            } catch (ConflictException e) {
                throw new CliFailure(ExitCodes.CONFLICT, "ARC refused the change as conflicting (" + e.getMessage()
                        + "); nothing was written: re-run", e);
            }
        }
        throw new CliFailure(ExitCodes.UNREACHABLE, "no ARC cluster endpoint answered; nothing was written: "
                + String.join("; ", failures));
    }
}
