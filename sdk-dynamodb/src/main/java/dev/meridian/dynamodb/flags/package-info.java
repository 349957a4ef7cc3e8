/**
 * Regional feature flags read from the control table: {@link dev.meridian.dynamodb.flags.Flags} evaluates a flag's
 * global default, its override for the local region and a percentage rollout stable per subject.
 */
@NullMarked
package dev.meridian.dynamodb.flags;

import org.jspecify.annotations.NullMarked;
