/**
 * Mergeable items on global tables: state-based CRDTs (field-level last-writer-wins, an add-wins observed-remove set
 * with quantities, a PN counter) kept as one item per region and merged on read, written with guarded read-merge-write.
 * See docs/mergeable-items.md.
 */
@NullMarked
package dev.meridian.dynamodb.merge;

import org.jspecify.annotations.NullMarked;
