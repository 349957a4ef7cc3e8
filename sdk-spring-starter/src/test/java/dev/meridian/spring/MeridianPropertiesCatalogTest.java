package dev.meridian.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meridian.core.MeridianSettings;
import dev.meridian.core.MeridianSettings.Setting;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The starter's {@code meridian.*} properties and sdk-core's {@link MeridianSettings} stay in step: every catalog
 * setting binds and reaches {@code fromEnvironment()} under its own name, the IDE metadata states the catalog's
 * default and a description for each, and every metadata key is either a catalog setting or the starter's own.
 */
class MeridianPropertiesCatalogTest {
    /** Keys of the starter's own beans, not read by {@code fromEnvironment()}. */
    private static final List<String> STARTER_ONLY = List.of("meridian.enabled", "meridian.dynamodb.",
            "meridian.aurora.", "meridian.web.", "meridian.health.", "meridian.context-propagation.", "meridian.flags.");
    /** A valid value for each setting without a default. */
    private static final Map<String, String> SAMPLES = Map.of(
            "regions", "eu-west-1,us-east-1",
            "region.<region>.jurisdiction", "EU",
            "region.<region>.priority", "1",
            "region.<region>.weight", "100",
            "region.<region>.endpoint", "http://localhost:8000",
            "local-region", "eu-west-1",
            "home-region", "us-east-1",
            "hedge.delay", "50ms",
            "residency.country.<cc>", "UK");

    @Test
    void everyCatalogSettingBindsAndReachesTheCoreUnderItsOwnName() {
        for (Setting s : MeridianSettings.all()) {
            String value = s.defaultValue().orElseGet(() -> SAMPLES.get(s.key()));
            assertThat(value).as("sample value of %s", s).isNotNull();
            String key = s.key(s.key().contains(MeridianSettings.COUNTRY) ? "GB" : "eu-west-1");
            Map<String, String> source = new HashMap<>();
            source.put("meridian.regions", "eu-west-1,us-east-1");
            source.put(MeridianSettings.propertyName(key), value);

            MeridianProperties bound = new Binder(new MapConfigurationPropertySource(source))
                    .bind("meridian", MeridianProperties.class).get();

            assertThat(bound.toSettings().stringPropertyNames()).as("core settings after binding %s", s)
                    .contains(MeridianSettings.propertyName(key));
        }
    }

    @Test
    void metadataDescribesEveryCatalogSettingWithTheCatalogsDefault() throws IOException {
        Map<String, ConfigurationMetadataProperty> metadata = metadata();
        for (Setting s : MeridianSettings.all()) {
            String name = s.isTemplate() ? mapProperty(s) : s.propertyName();
            ConfigurationMetadataProperty p = metadata.get(name);
            assertThat(p).as("metadata of %s", name).isNotNull();
            assertThat(p.getDescription()).as("description of %s", name).isNotBlank();
            if (s.isTemplate()) {
                String subKey = s.key().substring(s.key().lastIndexOf('.') + 1);
                assertThat(p.getDescription()).as("%s names %s", name, subKey).containsIgnoringCase(
                        subKey.equals(MeridianSettings.COUNTRY) ? "country" : subKey);
            } else {
                Object dflt = p.getDefaultValue();
                assertThat(dflt == null ? null : String.valueOf(dflt)).as("default of %s", name)
                        .isEqualTo(s.defaultValue().orElse(null));
            }
        }
    }

    @Test
    void everyMetadataKeyIsACatalogSettingOrTheStartersOwnAndIsDescribed() throws IOException {
        Set<String> catalog = new java.util.HashSet<>();
        MeridianSettings.all().forEach(s -> catalog.add(s.isTemplate() ? mapProperty(s) : s.propertyName()));
        for (ConfigurationMetadataProperty p : metadata().values()) {
            assertThat(p.getDescription()).as("description of %s", p.getId()).isNotBlank();
            if (!p.getId().startsWith("meridian.")) {
                continue; // management.endpoint.meridian.*, generated for the Actuator endpoint
            }
            boolean starterOwn = STARTER_ONLY.stream().anyMatch(prefix -> p.getId().startsWith(prefix));
            assertThat(starterOwn || catalog.contains(p.getId())).as("%s is in MeridianSettings", p.getId())
                    .isTrue();
        }
    }

    /** {@code region.<region>.weight} is bound as the map {@code meridian.region}. */
    private static String mapProperty(Setting s) {
        String name = s.propertyName();
        return name.substring(0, name.indexOf(".<"));
    }

    private static Map<String, ConfigurationMetadataProperty> metadata() throws IOException {
        try (InputStream in = MeridianPropertiesCatalogTest.class
                .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("spring-configuration-metadata.json generated by the processor").isNotNull();
            return ConfigurationMetadataRepositoryJsonBuilder.create(in).build().getAllProperties();
        }
    }
}
