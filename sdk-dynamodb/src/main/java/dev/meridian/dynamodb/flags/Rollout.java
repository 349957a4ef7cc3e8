package dev.meridian.dynamodb.flags;

import java.nio.charset.StandardCharsets;

/**
 * Which subjects a percentage rollout enables. A subject's bucket is
 * {@code murmur3_x86_32(UTF-8 bytes of "<feature>:<subjectId>", seed 0)} read as an unsigned 32-bit number, modulo
 * {@value #BUCKETS}; a rollout of {@code p} percent enables the buckets below {@code round(p * 100)}. The answer
 * depends on nothing but the feature name and the subject id, so every instance, language and restart agrees;
 * raising the percentage only adds subjects, and each feature picks its own subjects (the feature is hashed too).
 * Stateless.
 */
final class Rollout {
    /** Buckets per feature: a rollout is set in steps of 0.01 %. */
    static final int BUCKETS = 10_000;

    private Rollout() {
    }

    /** Whether {@code subjectId} is among the {@code percent} (0..100) percent of subjects {@code feature} enables. */
    static boolean includes(String feature, String subjectId, double percent) {
        return bucket(feature, subjectId) < Math.round(percent * (BUCKETS / 100));
    }

    /** The subject's bucket for this feature, in {@code 0 .. BUCKETS - 1}. */
    static int bucket(String feature, String subjectId) {
        byte[] key = (feature + ":" + subjectId).getBytes(StandardCharsets.UTF_8);
        return (int) (Integer.toUnsignedLong(murmur3x86x32(key, 0)) % BUCKETS);
    }

    /** MurmurHash3 x86 32-bit (Austin Appleby's reference {@code MurmurHash3_x86_32}), little-endian blocks. */
    static int murmur3x86x32(byte[] data, int seed) {
        final int c1 = 0xcc9e2d51;
        final int c2 = 0x1b873593;
        int h = seed;
        int blocks = data.length / 4;
        for (int i = 0; i < blocks; i++) {
            int j = i * 4;
            int k = (data[j] & 0xff) | (data[j + 1] & 0xff) << 8 | (data[j + 2] & 0xff) << 16 | (data[j + 3] & 0xff) << 24;
            k *= c1;
            k = Integer.rotateLeft(k, 15);
            k *= c2;
            h ^= k;
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int tail = blocks * 4;
        int rest = data.length & 3;
        if (rest > 0) {
            int k = 0;
            if (rest == 3) {
                k ^= (data[tail + 2] & 0xff) << 16;
            }
            if (rest >= 2) {
                k ^= (data[tail + 1] & 0xff) << 8;
            }
            k ^= data[tail] & 0xff;
            k *= c1;
            k = Integer.rotateLeft(k, 15);
            k *= c2;
            h ^= k;
        }
        h ^= data.length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
