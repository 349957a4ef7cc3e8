/** The operator command line {@code meridian}: region states, weights and feature flags of the fleet. */
@NullMarked
package dev.meridian.cli;

import org.jspecify.annotations.NullMarked;
