/**
 * Cross-region execution: the {@link dev.meridian.core.RegionalExecutor} runs an operation over its plan
 * with failover decided by a {@link dev.meridian.core.execution.FailureClassifier}, an attempt budget and optional
 * hedged reads.
 */
@NullMarked
package dev.meridian.core.execution;

import org.jspecify.annotations.NullMarked;
