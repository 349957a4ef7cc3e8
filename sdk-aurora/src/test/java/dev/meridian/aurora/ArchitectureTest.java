package dev.meridian.aurora;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.meridian.core.execution.FailureDecision;
import dev.meridian.core.internal.NumberedDaemons;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.routing.Operation;
import dev.meridian.core.routing.OperationKind;
import dev.meridian.core.routing.RoutingContext;
import dev.meridian.core.routing.RoutingPlan;
import dev.meridian.core.spi.MultiRegionSpi;
import org.junit.jupiter.api.Test;

/**
 * sdk-aurora's package rules, as executable rules (see the module README and docs/architecture.md): feature packages
 * {@code datasource} (the routing DataSource), {@code topology} (writer discovery) and {@code lag} (lag probes), with
 * their public types at the top; {@code topology} and {@code lag} never depend on {@code datasource}; sdk-core is used
 * through its public API only; each optional dependency is confined to the one class that needs it.
 */
class ArchitectureTest {
    private static final JavaClasses AURORA = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.meridian.aurora");

    @Test
    void topologyAndLagNeverDependOnTheDataSource() {
        noClasses().that().resideInAnyPackage("dev.meridian.aurora.topology..", "dev.meridian.aurora.lag..")
                .should().dependOnClassesThat().resideInAPackage("dev.meridian.aurora.datasource..")
                .because("the data source is built on topology and lag, not the other way round")
                .check(AURORA);
    }

    @Test
    void featurePackagesFormNoCycles() {
        slices().matching("dev.meridian.aurora.(*)..").should().beFreeOfCycles().check(AURORA);
    }

    @Test
    void everyClassLivesInAFeaturePackage() {
        classes().should().resideInAnyPackage("dev.meridian.aurora.datasource..", "dev.meridian.aurora.topology..",
                        "dev.meridian.aurora.lag..", "dev.meridian.aurora.internal..")
                .check(AURORA);
    }

    @Test
    void theInternalPackageDependsOnNoFeaturePackage() {
        noClasses().that().resideInAPackage("dev.meridian.aurora.internal..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.meridian.aurora.datasource..",
                        "dev.meridian.aurora.topology..", "dev.meridian.aurora.lag..")
                .check(AURORA);
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
                .check(AURORA);
    }

    @Test
    void theDataSourcePackageExposesOnlyTheDataSourceAndItsExceptions() {
        classes().that().resideInAPackage("dev.meridian.aurora.datasource..").and().arePublic()
                .should().haveSimpleName("RoutingDataSource").orShould().haveSimpleNameEndingWith("Exception")
                .orShould().haveSimpleName("Builder")
                .because("connections, bindings, pools and metrics are package-private machinery")
                .check(AURORA);
    }

    @Test
    void nothingHereIsCalledARouter() {
        noClasses().should().haveSimpleNameEndingWith("Router")
                .because("Router means sdk-core's routing decision; sdk-aurora binds connections (ConnectionBinder)")
                .check(AURORA);
    }

    @Test
    void theMachineryOfTheDataSourceIsNotPublic() {
        classes().that().haveSimpleName("ConnectionBinder").or().haveSimpleName("LogicalConnection")
                .or().haveSimpleName("StatementHandler").or().haveSimpleName("EndpointPools")
                .or().haveSimpleName("CachedDiscovery").or().haveSimpleName("SqlLagProbe")
                .should().notHaveModifier(JavaModifier.PUBLIC)
                .check(AURORA);
    }

    @Test
    void micrometerIsConfinedToItsMetricsClass() {
        noClasses().that().doNotHaveSimpleName("MicrometerJdbcMetrics")
                .should().dependOnClassesThat().resideInAPackage("io.micrometer..")
                .because("Micrometer is optional: no other class may load its types")
                .check(AURORA);
    }

    @Test
    void theRdsModuleIsConfinedToRdsDiscovery() {
        noClasses().that().doNotHaveFullyQualifiedName("dev.meridian.aurora.topology.RdsGlobalClusterDiscovery")
                .and().doNotHaveFullyQualifiedName("dev.meridian.aurora.topology.RdsGlobalClusterDiscovery$Builder")
                .should().dependOnClassesThat().resideInAPackage("software.amazon.awssdk.services.rds..")
                .because("the AWS SDK rds module is optional: only RDS discovery may load its types")
                .check(AURORA);
    }

    /**
     * One routing brain: which region a read tries next, and whether a failure moves it on, are sdk-core's. The data
     * source never walks a routing plan itself (it binds readers through {@code MultiRegionSpi.bind}), and whether a
     * failed statement may run elsewhere is asked of sdk-core's rule ({@code FailureDecision.movesOn}) with
     * {@code SqlFailures}' classification, never decided from a failure's SQLState outside that classifier.
     */
    @Test
    void noClassWalksARoutingPlanItself() {
        noClasses().should().dependOnClassesThat().areAssignableTo(RoutingPlan.class)
                .orShould().callMethod(MultiRegionSpi.class, "plan", Operation.class, RoutingContext.class)
                .because("sdk-core walks the plan (MultiRegionSpi.bind): its breakers, attempt budget and move rule apply")
                .check(AURORA);
    }

    @Test
    void whetherAFailedStatementMayMoveIsAskedOfTheCore() {
        noClasses().that().doNotHaveSimpleName("SqlFailures")
                .should().callMethod("dev.meridian.aurora.datasource.SqlFailures", "provesNotApplied",
                        "java.sql.SQLException")
                .because("what a failure proves is SqlFailures' classification; whether it moves is FailureDecision.movesOn")
                .check(AURORA);
        classes().that().haveSimpleName("LogicalConnection")
                .should().callMethod(FailureDecision.class, "movesOn", OperationKind.class)
                .check(AURORA);
    }

    /** Every thread is made by sdk-core's {@link NumberedDaemons}: a daemon inheriting no caller's thread-locals (MDC). */
    @Test
    void threadsAreMadeByNumberedDaemonsOnly() {
        noClasses().that().doNotBelongToAnyOf(NumberedDaemons.class)
                .should().callConstructorWhere(target(owner(assignableTo(Thread.class))))
                .because("a thread started inside a caller's scope would keep its inheritable MDC")
                .check(AURORA);
    }
}
