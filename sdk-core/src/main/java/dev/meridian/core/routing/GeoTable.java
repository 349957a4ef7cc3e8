package dev.meridian.core.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * Built-in approximate coordinates for {@link RoutingStrategy#geo()}: a representative point (capital or
 * population centre) per country for the EU/EEA, North and South America, the Middle East, Africa and
 * Asia-Pacific main markets, and the metro area of each commercial AWS region. Distances are great-circle
 * (haversine). Good enough to pick "the nearest region", not for anything precise. Immutable.
 */
final class GeoTable {
    private static final Map<String, double[]> COUNTRIES = new HashMap<>();
    private static final Map<String, double[]> REGIONS = new HashMap<>();

    static {
        country("AT", 48.2, 16.4); country("BE", 50.8, 4.4); country("BG", 42.7, 23.3); country("HR", 45.8, 16.0);
        country("CY", 35.2, 33.4); country("CZ", 50.1, 14.4); country("DK", 55.7, 12.6); country("EE", 59.4, 24.7);
        country("FI", 60.2, 24.9); country("FR", 48.9, 2.4); country("DE", 50.1, 8.7); country("GR", 38.0, 23.7);
        country("HU", 47.5, 19.0); country("IE", 53.3, -6.3); country("IT", 41.9, 12.5); country("LV", 56.9, 24.1);
        country("LT", 54.7, 25.3); country("LU", 49.6, 6.1); country("MT", 35.9, 14.5); country("NL", 52.4, 4.9);
        country("PL", 52.2, 21.0); country("PT", 38.7, -9.1); country("RO", 44.4, 26.1); country("SK", 48.1, 17.1);
        country("SI", 46.1, 14.5); country("ES", 40.4, -3.7); country("SE", 59.3, 18.1); country("IS", 64.1, -21.9);
        country("LI", 47.1, 9.5); country("NO", 59.9, 10.8); country("GB", 51.5, -0.1); country("CH", 47.4, 8.5);
        country("US", 39.0, -95.0); country("CA", 45.4, -75.7); country("MX", 19.4, -99.1); country("BR", -23.5, -46.6);
        country("AR", -34.6, -58.4); country("CL", -33.4, -70.6); country("CO", 4.7, -74.1); country("PR", 18.4, -66.1);
        country("TR", 41.0, 29.0); country("IL", 32.1, 34.8); country("AE", 25.2, 55.3); country("SA", 24.7, 46.7);
        country("BH", 26.2, 50.6); country("ZA", -26.2, 28.0); country("EG", 30.0, 31.2); country("NG", 6.5, 3.4);
        country("KE", -1.3, 36.8); country("IN", 19.1, 72.9); country("JP", 35.7, 139.7); country("KR", 37.6, 127.0);
        country("CN", 31.2, 121.5); country("SG", 1.35, 103.8); country("AU", -33.9, 151.2); country("NZ", -36.8, 174.8);
        country("HK", 22.3, 114.2); country("TW", 25.0, 121.5); country("ID", -6.2, 106.8); country("MY", 3.1, 101.7);
        country("TH", 13.8, 100.5); country("PH", 14.6, 121.0); country("VN", 10.8, 106.7);

        region("us-east-1", 38.9, -77.4); region("us-east-2", 40.0, -83.0); region("us-west-1", 37.4, -121.9);
        region("us-west-2", 45.8, -119.7); region("ca-central-1", 45.5, -73.6); region("ca-west-1", 51.0, -114.1);
        region("sa-east-1", -23.5, -46.6); region("mx-central-1", 20.6, -100.4);
        region("eu-west-1", 53.3, -6.3); region("eu-west-2", 51.5, -0.1); region("eu-west-3", 48.9, 2.4);
        region("eu-central-1", 50.1, 8.7); region("eu-central-2", 47.4, 8.5); region("eu-north-1", 59.3, 18.1);
        region("eu-south-1", 45.5, 9.2); region("eu-south-2", 41.6, -0.9);
        region("me-south-1", 26.2, 50.6); region("me-central-1", 25.2, 55.3); region("il-central-1", 32.1, 34.8);
        region("af-south-1", -33.9, 18.4);
        region("ap-south-1", 19.1, 72.9); region("ap-south-2", 17.4, 78.5); region("ap-northeast-1", 35.7, 139.7);
        region("ap-northeast-2", 37.6, 127.0); region("ap-northeast-3", 34.7, 135.5); region("ap-southeast-1", 1.35, 103.8);
        region("ap-southeast-2", -33.9, 151.2); region("ap-southeast-3", -6.2, 106.8); region("ap-southeast-4", -37.8, 145.0);
        region("ap-southeast-5", 3.1, 101.7); region("ap-east-1", 22.3, 114.2);
    }

    private GeoTable() {
    }

    private static void country(String code, double lat, double lon) {
        COUNTRIES.put(code, new double[] {lat, lon});
    }

    private static void region(String id, double lat, double lon) {
        REGIONS.put(id, new double[] {lat, lon});
    }

    /** Whether the country (ISO-3166 alpha-2) has coordinates. */
    public static boolean knowsCountry(String country) {
        return country != null && COUNTRIES.containsKey(country.toUpperCase(Locale.ROOT));
    }

    /** Whether the region has coordinates. */
    public static boolean knowsRegion(Region region) {
        return REGIONS.containsKey(region.id());
    }

    /** Great-circle distance in km between a country's point and a region, if both are known. */
    public static Optional<Double> distanceKm(String country, Region region) {
        double[] c = country == null ? null : COUNTRIES.get(country.toUpperCase(Locale.ROOT));
        double[] r = REGIONS.get(region.id());
        if (c == null || r == null) {
            return Optional.empty();
        }
        return Optional.of(haversine(c[0], c[1], r[0], r[1]));
    }

    /** Candidates nearest first (stable on ties), or empty when the country or any candidate is unknown. */
    static Optional<List<Region>> byDistance(String country, List<Region> candidates) {
        double[] c = COUNTRIES.get(country.toUpperCase(Locale.ROOT));
        if (c == null) {
            return Optional.empty();
        }
        int n = candidates.size();
        double[] d = new double[n];
        List<Region> out = new ArrayList<>(candidates);
        for (int i = 0; i < n; i++) {
            double[] r = REGIONS.get(out.get(i).id());
            if (r == null) {
                return Optional.empty();
            }
            d[i] = haversine(c[0], c[1], r[0], r[1]);
        }
        // Stable insertion sort on the precomputed distances: a handful of regions, and no boxing on every call.
        for (int i = 1; i < n; i++) {
            double di = d[i];
            Region ri = out.get(i);
            int j = i - 1;
            while (j >= 0 && d[j] > di) {
                d[j + 1] = d[j];
                out.set(j + 1, out.get(j));
                j--;
            }
            d[j + 1] = di;
            out.set(j + 1, ri);
        }
        return Optional.of(out);
    }

    private static double haversine(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 6371.0 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
    }
}
