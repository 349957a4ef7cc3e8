/**
 * JMH benchmarks and side-by-side harnesses comparing Meridian with raw clients and peer libraries.
 */
package dev.meridian.benchmarks;
