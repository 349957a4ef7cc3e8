/**
 * The DynamoDB control table of fleet control (schema in {@code docs/fleet-control.md}): a global table with one
 * item per region ({@code region#<id>}), per flag ({@code flag#<name>}) and per mirror lease
 * ({@code lease#mirror#<region>}). {@link dev.meridian.dynamodb.control.ControlTableSource} reads the region items
 * with consistent reads in the local region, falling back to the next one; {@link
 * dev.meridian.dynamodb.control.ControlTable} writes them under their version; {@link
 * dev.meridian.dynamodb.control.MirroringControlSource} lets one instance per region copy ARC's state into the table
 * for the rest of the fleet.
 */
@NullMarked
package dev.meridian.dynamodb.control;

import org.jspecify.annotations.NullMarked;
