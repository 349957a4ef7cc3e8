/**
 * Region controls from Amazon Application Recovery Controller routing controls, read through the AWS SDK's
 * {@code route53recoverycluster} client (an optional dependency: add it to use this package).
 */
@NullMarked
package dev.meridian.core.control.arc;

import org.jspecify.annotations.NullMarked;
