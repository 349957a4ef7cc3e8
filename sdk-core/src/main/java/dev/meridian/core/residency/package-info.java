/**
 * Data residency: {@link dev.meridian.core.residency.DataClass data classes}, subject
 * {@link dev.meridian.core.residency.Jurisdiction jurisdictions} (from ISO-3166 country codes via
 * {@link dev.meridian.core.residency.CountryJurisdictions}) and the
 * {@link dev.meridian.core.residency.ResidencyPolicy} deciding which regions may serve a call. Fails closed.
 */
@NullMarked
package dev.meridian.core.residency;

import org.jspecify.annotations.NullMarked;
