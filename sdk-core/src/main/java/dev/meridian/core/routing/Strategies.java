package dev.meridian.core.routing;

import dev.meridian.core.internal.SettingRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * The stateless built-in strategies. Each is the single instance of a class of its own, so that a runtime loads only
 * the strategy it routes with (a start-up cost: every class loaded is read, verified and initialized).
 */
final class Strategies {
    static final class LocalFirst extends Named {
        static final RoutingStrategy INSTANCE = new LocalFirst();

        private LocalFirst() {
            super("local-first");
        }

        @Override
        public List<Region> order(List<Region> candidates, RoutingRequest request) {
            return localFirst(candidates, request.localRegion());
        }
    }

    static final class Failover extends Named {
        static final RoutingStrategy INSTANCE = new Failover();

        private Failover() {
            super("failover");
        }

        @Override
        public List<Region> order(List<Region> candidates, RoutingRequest request) {
            return candidates;
        }
    }

    static final class Geo extends Named {
        static final RoutingStrategy INSTANCE = new Geo();

        private Geo() {
            super("geo");
        }

        @Override
        public List<Region> order(List<Region> candidates, RoutingRequest request) {
            Optional<String> country = request.context().subjectCountry();
            if (country.isEmpty()) {
                return localFirst(candidates, request.localRegion());
            }
            Optional<List<Region>> byDistance = GeoTable.byDistance(country.get(), candidates);
            return byDistance.orElseGet(() -> localFirst(candidates, request.localRegion()));
        }
    }

    static final class HomeByKey extends Named {
        static final RoutingStrategy INSTANCE = new HomeByKey();

        private HomeByKey() {
            super("home-by-key");
        }

        @Override
        public List<Region> order(List<Region> candidates, RoutingRequest request) {
            Optional<String> key = request.routingKey();
            return key.isEmpty() ? candidates : Rendezvous.order(key.get(), candidates);
        }
    }

    private Strategies() {
    }

    static List<Region> localFirst(List<Region> candidates, Region local) {
        int i = candidates.indexOf(local);
        if (i <= 0) {
            return candidates;
        }
        List<Region> out = new ArrayList<>(candidates.size());
        out.add(local);
        for (Region r : candidates) {
            if (!r.equals(local)) {
                out.add(r);
            }
        }
        return out;
    }

    static RoutingStrategy named(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (n) {
            case "local-first": return LocalFirst.INSTANCE;
            case "failover": return Failover.INSTANCE;
            case "weighted": return RoutingStrategy.weighted();
            case "geo": return Geo.INSTANCE;
            case "latency": return RoutingStrategy.latency();
            case "home-by-key": return HomeByKey.INSTANCE;
            default:
                // Named as the property: fromEnvironment() puts the variable or property that supplied it in its place.
                throw SettingRules.invalid("meridian.routing", "must be one of [local-first, failover, weighted, geo,"
                        + " latency, home-by-key]", SettingRules.quoted(name), "use one of them, e.g. local-first (the"
                        + " default)");
        }
    }

    /** See {@link RoutingStrategy#preferring(Region, RoutingStrategy)}. */
    static final class Preferring implements RoutingStrategy {
        private final Region preferred;
        private final RoutingStrategy then;

        Preferring(Region preferred, RoutingStrategy then) {
            this.preferred = Objects.requireNonNull(preferred, "preferred");
            this.then = Objects.requireNonNull(then, "then");
        }

        @Override
        public List<Region> order(List<Region> candidates, RoutingRequest request) {
            if (!candidates.contains(preferred)) {
                return then.order(candidates, request);
            }
            List<Region> rest = new ArrayList<>(candidates);
            rest.remove(preferred);
            List<Region> out = new ArrayList<>(candidates.size());
            out.add(preferred);
            out.addAll(then.order(rest, request));
            return out;
        }

        @Override
        public String name() {
            return "preferring(" + preferred.id() + ")+" + then.name();
        }

        @Override
        public String toString() {
            return name();
        }
    }

    abstract static class Named implements RoutingStrategy {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
