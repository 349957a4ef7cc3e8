package dev.meridian.core;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAnnotation;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaEnumConstant;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.meridian.core.exception.InvalidSettingException;
import dev.meridian.core.internal.NumberedDaemons;
import dev.meridian.core.internal.PoolAcquireFailures;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.spi.MultiRegionSpi;
import org.apiguardian.api.API;
import org.junit.jupiter.api.Test;

/**
 * sdk-core's layering, as executable rules (see docs/architecture.md): the runtime has two faces — the root package
 * (the user façade {@link MultiRegion}, its configuration and the package-private engine) and {@code spi} (what
 * Meridian's modules build on: {@link MultiRegionSpi}, the routed-client engine), which use each other; the other
 * subpackages hold value types, never import either face and form no cycles; the engine is not public; every public
 * SPI type is {@code @API(status = INTERNAL)}.
 */
class ArchitectureTest {
    private static final String SPI = "dev.meridian.core.spi..";
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.meridian.core");

    @Test
    void valueSubpackagesNeverDependOnTheRootPackageOrTheSpi() {
        noClasses().that().resideInAPackage("dev.meridian.core.(*)..")
                .and().resideOutsideOfPackage(SPI)
                .should().dependOnClassesThat().resideInAnyPackage("dev.meridian.core", SPI)
                .because("the two faces of the runtime are built on the subpackages, not a base they build on")
                .check(CORE);
    }

    @Test
    void everyPublicSpiTypeIsMarkedInternal() {
        classes().that().resideInAPackage(SPI).and().arePublic().and().areTopLevelClasses()
                .should().beAnnotatedWith(new DescribedPredicate<JavaAnnotation<?>>("@API(status = INTERNAL)") {
                    @Override
                    public boolean test(JavaAnnotation<?> a) {
                        return a.getRawType().isEquivalentTo(API.class) && a.get("status")
                                .map(v -> v instanceof JavaEnumConstant c && c.name().equals(API.Status.INTERNAL.name()))
                                .orElse(false);
                    }
                })
                .because("the SPI is for Meridian's modules and may change in any release")
                .check(CORE);
    }

    @Test
    void subpackagesFormNoCycles() {
        slices().matching("dev.meridian.core.(*)..").should().beFreeOfCycles().check(CORE);
    }

    @Test
    void theEngineIsNotPublic() {
        classes().that().haveSimpleNameEndingWith("Router").or().haveSimpleName("RegionalExecutor")
                .or().haveSimpleName("RegionHealth").or().haveSimpleName("Hedger")
                .should().notHaveModifier(JavaModifier.PUBLIC)
                .because("integrations use MultiRegion's façade, never the engine's parts")
                .check(CORE);
    }

    /**
     * The Metrics seam is the root package's own. {@link SettingRules}, {@link NumberedDaemons} and
     * {@link PoolAcquireFailures} are the exceptions: every value type validates its settings with the first so that
     * every configuration error has one shape, every thread is made by the second (no inherited thread-locals), the
     * failure rules and the cold-client attempts read the Netty pool's failures with the third, and all depend on
     * nothing of Meridian's, so using them adds no edge between the subpackages.
     */
    @Test
    void onlyTheRootPackageAndTheMetricsSeamUseTheInternalPackage() {
        noClasses().that().resideOutsideOfPackages("dev.meridian.core", "dev.meridian.core.internal..")
                .should().dependOnClassesThat(resideInAPackage("dev.meridian.core.internal..")
                        .and(not(equivalentTo(SettingRules.class)))
                        .and(not(equivalentTo(NumberedDaemons.class)))
                        .and(not(equivalentTo(PoolAcquireFailures.class))))
                .check(CORE);
    }

    @Test
    void theValidationHelperDependsOnNothingOfMeridiansButTheExceptionItThrows() {
        noClasses().that().belongToAnyOf(SettingRules.class)
                .should().dependOnClassesThat(resideInAPackage("dev.meridian..")
                        .and(not(equivalentTo(InvalidSettingException.class))))
                .because("every subpackage and module uses it: a dependency of it would be a dependency of all")
                .check(CORE);
    }

    /**
     * Each setting is declared once, in the {@code settings} registry, which the builders of the value subpackages
     * validate with: so the registry itself must depend on no value type that is configured by it.
     */
    @Test
    void theSettingDeclarationsDependOnNoConfigurationValue() {
        noClasses().that().resideInAPackage("dev.meridian.core.settings..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.meridian.core.health..",
                        "dev.meridian.core.execution..", "dev.meridian.core.routing..", "dev.meridian.core.residency..")
                .because("HealthConfig and the other configuration values validate through the declarations")
                .check(CORE);
    }

    /** Every thread is made by sdk-core's {@link NumberedDaemons}: a daemon inheriting no caller's thread-locals (MDC). */
    @Test
    void threadsAreMadeByNumberedDaemonsOnly() {
        noClasses().that().doNotBelongToAnyOf(NumberedDaemons.class)
                .should().callConstructorWhere(target(owner(assignableTo(Thread.class))))
                .because("a thread started inside a caller's scope would keep its inheritable MDC")
                .check(CORE);
    }
}
