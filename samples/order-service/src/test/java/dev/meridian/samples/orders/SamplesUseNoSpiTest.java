package dev.meridian.samples.orders;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * A sample shows what an application writes: it uses Meridian's user API only, never the integration SPI
 * ({@code dev.meridian.core.spi}, for Meridian's own modules; see docs/architecture.md).
 */
class SamplesUseNoSpiTest {
    @Test
    void theSampleUsesNoSpiType() {
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.meridian.core.spi..")
                .because("the SPI is @API(status = INTERNAL): for Meridian's modules, may change in any release")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.meridian.samples"));
    }
}
