/**
 * The declaration of every setting: {@link dev.meridian.core.settings.MeridianSettings} lists each
 * {@link dev.meridian.core.settings.Setting} once (key, type, default, rule, doc line), and that declaration drives the
 * builders' validation, {@code MultiRegionConfig.fromEnvironment()}, the Spring Boot starter's property binding, the
 * IDE metadata and docs/configuration.md. {@link dev.meridian.core.settings.SettingValues} carries typed values from
 * one of those sources to {@code MultiRegionConfig.fromSettings}.
 */
@NullMarked
package dev.meridian.core.settings;

import org.jspecify.annotations.NullMarked;
