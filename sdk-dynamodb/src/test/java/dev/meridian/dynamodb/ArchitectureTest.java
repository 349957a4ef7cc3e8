package dev.meridian.dynamodb;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.meridian.core.internal.NumberedDaemons;
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
     * sdk-core's internal package is not API. Its {@link SettingRules} and {@link NumberedDaemons} helpers are the
     * exceptions: they give this module's configuration errors sdk-core's shape and its threads sdk-core's rule (no
     * inherited thread-locals), and the modules are released together, so a change to them is made in the same
     * commit as their uses here.
     */
    @Test
    void onlySdkCoresPublicApiIsUsed() {
        noClasses().should().dependOnClassesThat(resideInAPackage("dev.meridian.core.internal..")
                        .and(not(equivalentTo(SettingRules.class)))
                        .and(not(equivalentTo(NumberedDaemons.class))))
                .because("sdk-core's internal package is its own seam, not an API")
                .check(DYNAMODB);
    }

    /** Every thread is made by sdk-core's {@link NumberedDaemons}: a daemon inheriting no caller's thread-locals (MDC). */
    @Test
    void threadsAreMadeByNumberedDaemonsOnly() {
        noClasses().that().doNotBelongToAnyOf(NumberedDaemons.class)
                .should().callConstructorWhere(target(owner(assignableTo(Thread.class))))
                .because("a thread started inside a caller's scope would keep its inheritable MDC")
                .check(DYNAMODB);
    }
}
