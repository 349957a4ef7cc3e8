package dev.meridian.core.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.regions.Region;

/**
 * Highest-random-weight hashing with a hash that is stable across JVMs and versions (FNV-1a 64 over UTF-8 bytes of
 * key, a separator and region id, then the MurmurHash3 64-bit finalizer for avalanche).
 */
final class Rendezvous {
    private Rendezvous() {
    }

    static List<Region> order(String key, List<Region> candidates) {
        int n = candidates.size();
        if (n <= 1) {
            return candidates;
        }
        long[] scores = new long[n];
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        List<Region> out = new ArrayList<>(candidates);
        for (int i = 0; i < n; i++) {
            scores[i] = score(keyBytes, out.get(i).id());
        }
        // Insertion sort by descending score: n is a handful of regions.
        for (int i = 1; i < n; i++) {
            long s = scores[i];
            Region r = out.get(i);
            int j = i - 1;
            while (j >= 0 && Long.compareUnsigned(scores[j], s) < 0) {
                scores[j + 1] = scores[j];
                out.set(j + 1, out.get(j));
                j--;
            }
            scores[j + 1] = s;
            out.set(j + 1, r);
        }
        return out;
    }

    static long score(byte[] key, String regionId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        // A 0 byte between key and region id, so that key "a" + region "bc" never hashes like "ab" + "c".
        h *= 0x100000001b3L;
        byte[] region = regionId.getBytes(StandardCharsets.UTF_8);
        for (byte b : region) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
