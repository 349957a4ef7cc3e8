/**
 * Cold-start harnesses: fresh JVMs, Meridian versus a raw client, paired runs (see benchmarks/RESULTS.md).
 */
package dev.meridian.benchmarks.coldstart;
