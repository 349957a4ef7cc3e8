/**
 * The exceptions Meridian throws: every one is a {@link dev.meridian.core.exception.MeridianException}.
 */
@NullMarked
package dev.meridian.core.exception;

import org.jspecify.annotations.NullMarked;
