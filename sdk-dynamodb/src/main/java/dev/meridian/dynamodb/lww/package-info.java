/** Last-writer-wins conditional writes on global tables, stamped by sdk-core's hybrid logical clock. */
@NullMarked
package dev.meridian.dynamodb.lww;

import org.jspecify.annotations.NullMarked;
