package dev.meridian.core.routing;

import dev.meridian.core.internal.SettingRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * Lowest EWMA latency first, with an exploration share drawn from the request's {@link RoutingRequest#random()} (the
 * runtime's, reseeded after a snapshot restore) unless built with a generator of its own.
 */
final class LatencyStrategy extends Strategies.Named {
    private final double exploration;
    private final @Nullable Random random;

    LatencyStrategy(double exploration, @Nullable Random random) {
        super("latency");
        SettingRules.check(exploration >= 0 && exploration <= 1, "RoutingStrategy.latency exploration",
                "must be a share in [0, 1]", exploration, "pass e.g. 0.05 to explore 5 % of calls");
        this.exploration = exploration;
        this.random = random;
    }

    @Override
    public List<Region> order(List<Region> candidates, RoutingRequest request) {
        int n = candidates.size();
        if (n <= 1) {
            return candidates;
        }
        LatencyTracker latency = request.latency();
        List<Region> out = new ArrayList<>(candidates);
        // Unmeasured regions sort first (-1), so each gets sampled; the sort is stable, keeping priority on ties.
        out.sort(Comparator.comparingLong(latency::averageNanos));
        double draw = random != null ? random.nextDouble() : request.random().nextDouble();
        if (draw < exploration) {
            int pick = 1 + (int) ((draw / exploration) * (n - 1));
            out.add(0, out.remove(Math.min(pick, n - 1)));
        }
        return out;
    }
}
