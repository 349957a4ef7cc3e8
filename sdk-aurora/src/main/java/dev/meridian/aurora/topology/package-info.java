/**
 * Where a global database's writer and endpoints are: the {@link dev.meridian.aurora.topology.AuroraTopology} snapshot,
 * its {@link dev.meridian.aurora.topology.RegionEndpoints}, and the {@link dev.meridian.aurora.topology.WriterDiscovery}
 * implementations (static, RDS API, PostgreSQL probing) with their shared caching. Knows nothing of data sources.
 */
@NullMarked
package dev.meridian.aurora.topology;

import org.jspecify.annotations.NullMarked;
