package dev.meridian.core;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.meridian.core.internal.Settings;
import org.junit.jupiter.api.Test;

/**
 * sdk-core's layering, as executable rules (see docs/architecture.md): the root package is the façade
 * ({@link MultiRegion}, its configuration, the routed-client engine) and the package-private engine; subpackages
 * hold value types and SPIs, never import the root package back and form no cycles; the engine is not public.
 */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.meridian.core");

    @Test
    void subpackagesNeverDependOnTheRootPackage() {
        noClasses().that().resideInAPackage("dev.meridian.core.(*)..")
                .should().dependOnClassesThat().resideInAPackage("dev.meridian.core")
                .because("the root package is the façade built on the subpackages, not a base they build on")
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
     * The Metrics seam is the root package's own. {@link Settings} is the exception: every value type validates its
     * settings with it so that every configuration error has one shape, and it depends on nothing of Meridian's, so
     * using it adds no edge between the subpackages.
     */
    @Test
    void onlyTheRootPackageAndTheMetricsSeamUseTheInternalPackage() {
        noClasses().that().resideOutsideOfPackages("dev.meridian.core", "dev.meridian.core.internal..")
                .should().dependOnClassesThat(resideInAPackage("dev.meridian.core.internal..")
                        .and(not(equivalentTo(Settings.class))))
                .check(CORE);
    }

    @Test
    void theSettingsHelperDependsOnNothingOfMeridians() {
        noClasses().that().belongToAnyOf(Settings.class)
                .should().dependOnClassesThat().resideInAPackage("dev.meridian..")
                .because("every subpackage and module uses it: a dependency of it would be a dependency of all")
                .check(CORE);
    }
}
