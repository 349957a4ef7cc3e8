package dev.meridian.spring.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.spring.MeridianActuatorAutoConfiguration;
import dev.meridian.spring.MeridianAutoConfiguration;
import dev.meridian.spring.MeridianEndpoint;
import dev.meridian.spring.MeridianHealthIndicator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import software.amazon.awssdk.regions.Region;

/**
 * sdk-spring-starter/README.md, read as a user: "Spring binds the {@code meridian.*} properties typed ... so the same
 * keys, defaults, rules and error messages apply", {@code meridian.enabled}, and "Configuration errors" (the failure
 * report of a Spring Boot application that cannot start, word for word).
 */
@ExtendWith(OutputCaptureExtension.class)
class StarterConfigurationAcceptanceTest {
    private static final String REGIONS = "eu-west-1,eu-central-1,us-east-1";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class));

    /** How a user may spell a property's key in Spring: relaxed binding, in a properties file or the environment. */
    enum KeyForm {
        KEBAB, CAMEL, UNDERSCORE, ENV_CANONICAL, ENV_UNDERSCORED;

        /** {@code words}: the last key segment's words, e.g. {@code [local, region]}. */
        ApplicationContextRunner with(ApplicationContextRunner runner, List<String> words, String value) {
            String kebab = String.join("-", words);
            return switch (this) {
                case KEBAB -> runner.withPropertyValues("meridian." + kebab + "=" + value);
                case CAMEL -> runner.withPropertyValues("meridian." + camel(words) + "=" + value);
                case UNDERSCORE -> runner.withPropertyValues("meridian." + String.join("_", words) + "=" + value);
                case ENV_CANONICAL -> env(runner, "MERIDIAN_" + String.join("", words).toUpperCase(), value);
                case ENV_UNDERSCORED -> env(runner, "MERIDIAN_" + String.join("_", words).toUpperCase(), value);
            };
        }

        private static String camel(List<String> words) {
            StringBuilder b = new StringBuilder(words.get(0));
            words.subList(1, words.size()).forEach(w -> b.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1)));
            return b.toString();
        }

        /** An operating-system environment variable, as Spring Boot sees one (its system environment source). */
        private static ApplicationContextRunner env(ApplicationContextRunner runner, String name, String value) {
            return runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                    new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                            Map.of(name, value))));
        }
    }

    @Property(tries = 40)
    void theLocalRegionBindsFromEveryRelaxedSpelling(@ForAll KeyForm form,
            @ForAll("regions") String region, @ForAll boolean upperCaseValue) {
        ApplicationContextRunner r = form.with(runner.withPropertyValues("meridian.regions=" + REGIONS),
                List.of("local", "region"), upperCaseValue ? region.toUpperCase() : region);
        r.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(MultiRegionConfig.class).localRegion()).isEqualTo(Region.of(region));
        });
    }

    @Property(tries = 40)
    void aDurationBindsFromEveryRelaxedSpellingAndEveryDocumentedFormat(@ForAll KeyForm form,
            @ForAll("durations") Map.Entry<String, Duration> value) {
        ApplicationContextRunner r = form.with(runner.withPropertyValues("meridian.regions=" + REGIONS),
                List.of("first", "attempt", "timeout"), value.getKey());
        r.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(MultiRegionConfig.class).firstAttemptTimeout()).isEqualTo(value.getValue());
        });
    }

    @Property(tries = 10)
    void theRegionsBindAsACommaListAnIndexedListOrOneEnvironmentVariable(@ForAll("regionLists") List<String> regions,
            @ForAll("listForms") String listForm) {
        ApplicationContextRunner r = switch (listForm) {
            case "comma" -> runner.withPropertyValues("meridian.regions=" + String.join(",", regions));
            case "indexed" -> {
                ApplicationContextRunner indexed = runner;
                for (int i = 0; i < regions.size(); i++) {
                    indexed = indexed.withPropertyValues("meridian.regions[" + i + "]=" + regions.get(i));
                }
                yield indexed;
            }
            default -> KeyForm.env(runner, "MERIDIAN_REGIONS", String.join(",", regions));
        };
        r.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(MultiRegionConfig.class).regionList())
                    .containsExactlyElementsOf(regions.stream().map(Region::of).toList());
        });
    }

    /**
     * "Per-region and per-table keys are map entries: write them in application.properties/YAML
     * ({@code meridian.region.eu-west-1.weight=90})", in the plain or Spring's bracket form.
     */
    @Property(tries = 20)
    void perRegionKeysBindAsMapEntries(@ForAll("weights") List<Integer> weights, @ForAll boolean brackets) {
        String[] regions = REGIONS.split(",");
        ApplicationContextRunner r = runner.withPropertyValues("meridian.regions=" + REGIONS);
        for (int i = 0; i < regions.length; i++) {
            String key = brackets ? "meridian.region[" + regions[i] + "].weight" : "meridian.region." + regions[i] + ".weight";
            r = r.withPropertyValues(key + "=" + weights.get(i));
        }
        r.run(context -> {
            assertThat(context).hasNotFailed();
            MultiRegionConfig config = context.getBean(MultiRegionConfig.class);
            for (int i = 0; i < regions.length; i++) {
                assertThat(config.weight(Region.of(regions[i]))).as(regions[i]).isEqualTo(weights.get(i));
            }
        });
    }

    @Test
    void meridianEnabledFalseConfiguresNothing() {
        runner.withPropertyValues("meridian.enabled=false", "meridian.regions=" + REGIONS).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(MultiRegionConfig.class).doesNotHaveBean(MultiRegion.class);
        });
        runner.withPropertyValues("meridian.regions=" + REGIONS).run(context ->
                assertThat(context).hasSingleBean(MultiRegionConfig.class).hasSingleBean(MultiRegion.class));
    }

    /**
     * "{@code MeridianHealthIndicator} ({@code meridian}) | spring-boot-health on the class path,
     * {@code management.health.meridian.enabled} (default true)"; "{@code MeridianEndpoint} | Actuator on the class
     * path and the endpoint exposed ({@code management.endpoints.web.exposure.include=meridian})".
     */
    @Test
    void healthIsOnByDefaultAndTheEndpointOnlyWhenExposed() {
        ApplicationContextRunner actuator = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MeridianAutoConfiguration.class,
                        MeridianActuatorAutoConfiguration.class))
                .withPropertyValues("meridian.regions=" + REGIONS);
        actuator.run(context -> assertThat(context).hasSingleBean(MeridianHealthIndicator.class)
                .doesNotHaveBean(MeridianEndpoint.class));
        actuator.withPropertyValues("management.health.meridian.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(MeridianHealthIndicator.class));
        actuator.withPropertyValues("management.endpoints.web.exposure.include=meridian")
                .run(context -> assertThat(context).hasSingleBean(MeridianEndpoint.class));
    }

    /** The README's "Configuration errors" report, word for word, from a Spring Boot application's start. */
    @Test
    void aLocalRegionOutsideTheRegionsFailsStartUpWithTheDocumentedReport(CapturedOutput output) {
        assertThatThrownBy(() -> start("meridian.regions=" + REGIONS, "meridian.local-region=ap-south-1"))
                .isInstanceOf(RuntimeException.class);
        assertThat(output.getOut() + output.getErr())
                .contains("Description:\n\nMeridian cannot start: meridian.local-region must be one of the configured"
                        + " regions [eu-west-1, eu-central-1, us-east-1], was 'ap-south-1'; name one of them, or add"
                        + " ap-south-1 to the regions\n")
                .contains("Action:\n\nUpdate meridian.local-region in your application's configuration: name one of"
                        + " them, or add ap-south-1 to the regions (expected The local region, one of the configured"
                        + " regions; defaults to AWS_REGION, else AWS_DEFAULT_REGION, else the home region.)");
    }

    /** "A value of the wrong type ... is reported by Spring Boot's own binder analyzer, which names the property". */
    @Test
    void aValueOfTheWrongTypeIsReportedNamingTheProperty(CapturedOutput output) {
        assertThatThrownBy(() -> start("meridian.regions=" + REGIONS, "meridian.max-regions-per-call=three"))
                .isInstanceOf(RuntimeException.class);
        assertThat(output.getOut() + output.getErr()).contains("Description:")
                .contains("meridian.max-regions-per-call").contains("three").contains("Action:");
    }

    private static void start(String... properties) {
        new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(properties)
                .properties("spring.main.banner-mode=off").run().close();
    }

    @Provide
    Arbitrary<String> regions() {
        return Arbitraries.of(REGIONS.split(","));
    }

    /** Three weights adding up to 100, as the rule asks. */
    @Provide
    Arbitrary<List<Integer>> weights() {
        return Arbitraries.integers().between(0, 100).flatMap(a -> Arbitraries.integers().between(0, 100 - a)
                .map(b -> List.of(a, b, 100 - a - b)));
    }

    @Provide
    Arbitrary<List<String>> regionLists() {
        return Arbitraries.of("eu-west-1", "eu-central-1", "us-east-1", "ap-south-1", "us-west-2")
                .list().ofMinSize(1).ofMaxSize(5).uniqueElements();
    }

    @Provide
    Arbitrary<String> listForms() {
        return Arbitraries.of("comma", "indexed", "env");
    }

    /** docs/configuration.md: "Durations: {@code 50ms}, {@code 2s}, {@code 1m}, {@code 1h} or ISO-8601". */
    @Provide
    Arbitrary<Map.Entry<String, Duration>> durations() {
        return Arbitraries.integers().between(1, 50).flatMap(n -> Arbitraries.of(
                Map.entry(n * 100 + "ms", Duration.ofMillis(n * 100L)),
                Map.entry(n + "s", Duration.ofSeconds(n)),
                Map.entry(n + "m", Duration.ofMinutes(n)),
                Map.entry("PT" + n + "S", Duration.ofSeconds(n))));
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(MeridianAutoConfiguration.class)
    static class App {
    }
}
