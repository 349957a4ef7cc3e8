/**
 * Fleet control: one region state (ON / OFF and optional weights) shared by every instance of an application. A
 * {@link dev.meridian.core.control.RegionControlSource} reads it (ARC routing controls, a DynamoDB control table,
 * static), {@link dev.meridian.core.control.RegionControl} polls it and fails static, and the router takes its
 * state as an input to every plan: an OFF region is left out (as a locally drained one is), weights feed the weighted
 * strategy. A control only ever removes regions: residency decides which regions a call may use before it.
 * {@link dev.meridian.core.control.ControlChangeRules} holds the safety rule every writer applies.
 */
@NullMarked
package dev.meridian.core.control;

import org.jspecify.annotations.NullMarked;
