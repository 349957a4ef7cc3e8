package dev.meridian.dynamodb;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.meridian.core.internal.SettingRules;
import org.junit.jupiter.api.Test;

/**
 * sdk-dynamodb's feature packages (see docs/architecture.md): {@code client} is the multi-region client every
 * feature builds on; {@code lww}, {@code idempotency}, {@code counter}, {@code lag}, {@code flags}, {@code saga}, {@code control} and {@code merge} use it and never each other;
 * only sdk-core's public API (its user façade and its integration SPI, {@code dev.meridian.core.spi}) is used.
 */
class ArchitectureTest {
    private static final JavaClasses DYNAMODB = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.meridian.dynamodb");

    @Test
    void featurePackagesFormNoCycles() {
        slices().matching("dev.meridian.dynamodb.(*)..").should().beFreeOfCycles().check(DYNAMODB);
    }

    /** The replication-lag probe is the one feature the client runs itself (read-your-writes, health), so not listed. */
    @Test
    void theClientDependsOnNoFeatureBuiltOnIt() {
        noClasses().that().resideInAPackage("dev.meridian.dynamodb.client..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.meridian.dynamodb.lww..",
                        "dev.meridian.dynamodb.idempotency..", "dev.meridian.dynamodb.counter..",
                        "dev.meridian.dynamodb.flags..", "dev.meridian.dynamodb.saga..", "dev.meridian.dynamodb.control..",
                        "dev.meridian.dynamodb.merge..")
                .check(DYNAMODB);
    }

    @Test
    void theLagProbeDependsOnNoOtherFeature() {
        noClasses().that().resideInAPackage("dev.meridian.dynamodb.lag..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.meridian.dynamodb.lww..",
                        "dev.meridian.dynamodb.idempotency..", "dev.meridian.dynamodb.counter..",
                        "dev.meridian.dynamodb.flags..", "dev.meridian.dynamodb.saga..", "dev.meridian.dynamodb.control..",
                        "dev.meridian.dynamodb.merge..")
                .check(DYNAMODB);
    }

    @Test
    void featuresDoNotDependOnEachOther() {
        slices().matching("dev.meridian.dynamodb.(lww|idempotency|counter|lag|flags|saga|control|merge)..").should().notDependOnEachOther()
                .check(DYNAMODB);
    }

    /**
     * sdk-core's internal package is not API. Its {@link SettingRules} helper is the one exception: it gives this
     * module's configuration errors sdk-core's shape, and the modules are released together, so a change to it is
     * made in the same commit as its uses here.
     */
    @Test
    void onlySdkCoresPublicApiIsUsed() {
        noClasses().should().dependOnClassesThat(resideInAPackage("dev.meridian.core.internal..")
                        .and(not(equivalentTo(SettingRules.class))))
                .because("sdk-core's internal package is its own seam, not an API")
                .check(DYNAMODB);
    }
}
