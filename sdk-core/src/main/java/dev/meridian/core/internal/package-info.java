/**
 * Internal implementation details: the Micrometer seam, and {@link dev.meridian.core.internal.SettingRules}, the validation
 * helper every Meridian module shares. Not API: may change in any release.
 */
package dev.meridian.core.internal;
