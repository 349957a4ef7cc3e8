/**
 * The exceptions Meridian throws: every one is a {@link dev.meridian.core.exception.MeridianException}, except
 * {@link dev.meridian.core.exception.InvalidSettingException}, a refused configuration value (an
 * {@link IllegalArgumentException}).
 */
@NullMarked
package dev.meridian.core.exception;

import org.jspecify.annotations.NullMarked;
