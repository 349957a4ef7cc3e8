/** Last-writer-wins conditional writes on global tables, stamped by sdk-core's hybrid logical clock. */
package dev.meridian.dynamodb.lww;
