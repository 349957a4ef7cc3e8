/**
 * Internal implementation details (the Micrometer seam). Not API: may change in any release.
 */
package dev.meridian.core.internal;
