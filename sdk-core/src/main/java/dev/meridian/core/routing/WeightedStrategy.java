package dev.meridian.core.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;

/**
 * First region drawn by weight, the rest by priority. Draws from the request's {@link RoutingRequest#random()} (the
 * runtime's, reseeded after a snapshot restore) unless built with a generator of its own.
 */
final class WeightedStrategy extends Strategies.Named {
    private final @Nullable RandomGenerator random;

    WeightedStrategy(@Nullable RandomGenerator random) {
        super("weighted");
        this.random = random;
    }

    @Override
    public List<Region> order(List<Region> candidates, RoutingRequest request) {
        int n = candidates.size();
        if (n <= 1) {
            return candidates;
        }
        int total = 0;
        for (Region r : candidates) {
            total += request.weight(r);
        }
        RandomGenerator rnd = random != null ? random : request.random();
        int chosen;
        if (total <= 0) {
            chosen = rnd.nextInt(n);
        } else {
            int draw = rnd.nextInt(total);
            chosen = 0;
            for (int i = 0; i < n; i++) {
                draw -= request.weight(candidates.get(i));
                if (draw < 0) {
                    chosen = i;
                    break;
                }
            }
        }
        if (chosen == 0) {
            return candidates;
        }
        List<Region> out = new ArrayList<>(n);
        out.add(candidates.get(chosen));
        for (int i = 0; i < n; i++) {
            if (i != chosen) {
                out.add(candidates.get(i));
            }
        }
        return out;
    }
}
