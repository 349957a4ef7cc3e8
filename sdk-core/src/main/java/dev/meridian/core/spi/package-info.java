/**
 * The integration face of the runtime: what Meridian's own modules (sdk-dynamodb, sdk-aurora, the Spring Boot
 * starter) build on — {@link dev.meridian.core.spi.MultiRegionSpi} (one attempt in a chosen region, routing plans,
 * residency checks, snapshot participation, the breakers), the routed-client engine ({@link
 * dev.meridian.core.spi.RoutedClient}, {@link dev.meridian.core.spi.RequestModel}), per-region clients and service
 * client providers. Applications use {@link dev.meridian.core.MultiRegion} instead: every type here is
 * {@code @API(status = INTERNAL)} and may change in any release.
 */
package dev.meridian.core.spi;
