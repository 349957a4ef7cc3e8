package dev.meridian.spring;

import static dev.meridian.spring.StarterSettings.CONTROL_ARC_CONTROL;
import static dev.meridian.spring.StarterSettings.CONTROL_ARC_CONTROL_PANEL_ARN;
import static dev.meridian.spring.StarterSettings.CONTROL_ARC_ENDPOINT;
import static dev.meridian.spring.StarterSettings.CONTROL_ARC_TIMEOUT;
import static dev.meridian.spring.StarterSettings.CONTROL_MIRROR_LEASE;
import static dev.meridian.spring.StarterSettings.CONTROL_POLL_INTERVAL;
import static dev.meridian.spring.StarterSettings.CONTROL_SOURCE;
import static dev.meridian.spring.StarterSettings.CONTROL_STATIC_STATE;
import static dev.meridian.spring.StarterSettings.CONTROL_TABLE_NAME;
import static dev.meridian.spring.StarterSettings.CONTROL_TABLE_REGIONS;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.RegionControlSource;
import dev.meridian.core.control.StaticControlSource;
import dev.meridian.core.control.arc.ArcControlSource;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.core.settings.MeridianSettings;
import dev.meridian.dynamodb.control.ControlTableSource;
import dev.meridian.dynamodb.control.MirroringControlSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the runtime's region control from {@code meridian.control.*}. The table and ARC sources are built in their
 * own methods, so their optional modules (sdk-dynamodb, route53recoverycluster) are loaded only when chosen.
 */
final class ControlSources {
    private ControlSources() {
    }

    /** Gives {@code builder} the configured control, if any. */
    static void apply(MultiRegion.Builder builder, ControlProperties p, MultiRegionConfig config) {
        String kind = p.getSource() == null || p.getSource().isBlank() ? "none"
                : StarterSettings.check(CONTROL_SOURCE, p.getSource());
        RegionControlSource source;
        switch (kind) {
            case "none":
                return;
            case "static":
                source = StaticControlSource.parse(p.getStaticState(), CONTROL_STATIC_STATE.propertyName());
                break;
            case "table":
                requireClass("dev.meridian.dynamodb.control.ControlTableSource", "sdk-dynamodb");
                source = table(p, config);
                break;
            case "arc":
                requireClass("software.amazon.awssdk.services.route53recoverycluster.Route53RecoveryClusterClient",
                        "software.amazon.awssdk:route53recoverycluster");
                source = p.isMirror() ? mirror(p, config) : arc(p);
                break;
            default:
                throw new IllegalStateException("declared but not built: " + kind);
        }
        builder.control(ControlConfig.builder(source)
                .pollInterval(StarterSettings.check(CONTROL_POLL_INTERVAL, p.getPollInterval())).build());
    }

    private static void requireClass(String name, String artifact) {
        try {
            Class.forName(name, false, ControlSources.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw SettingRules.invalid(CONTROL_SOURCE.propertyName(), "needs " + artifact + " on the class path", name, "add the dependency", e);
        }
    }

    private static ControlTableSource table(ControlProperties p, MultiRegionConfig config) {
        List<Region> order = new ArrayList<>();
        if (p.getTableRegions().isEmpty()) {
            order.add(config.localRegion());
            config.regionsByPriority().stream().filter(r -> !order.contains(r)).forEach(order::add);
        } else {
            // Known AWS regions only, like every other region list: a typo fails start-up, not every read.
            order.addAll(DynamoDbTables.regions(CONTROL_TABLE_REGIONS, CONTROL_TABLE_REGIONS.propertyName(),
                    p.getTableRegions()));
        }
        Duration timeout = p.getPollInterval().dividedBy(2);
        return ControlTableSource.builder().tableName(StarterSettings.check(CONTROL_TABLE_NAME, p.getTableName()))
                .readOrder(order)
                .controlledRegions(config.regionList())
                .clientFactory(r -> DynamoDbClient.builder().region(r)
                        .applyMutation(c -> config.spec(r).flatMap(s -> s.endpoint()).ifPresent(c::endpointOverride))
                        .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(1, timeout))
                        .build())
                .build();
    }

    private static ArcControlSource arc(ControlProperties p) {
        ControlProperties.Arc arc = p.getArc();
        ArcControlSource.Builder b = ArcControlSource.builder()
                .timeout(StarterSettings.check(CONTROL_ARC_TIMEOUT, arc.getTimeout()));
        arc.getEndpoints().forEach((region, uri) -> b.endpoint(StarterSettings.check(CONTROL_ARC_ENDPOINT,
                MeridianSettings.propertyName(CONTROL_ARC_ENDPOINT.key(region)), uri), Region.of(region)));
        arc.getControls().forEach((region, arn) -> b.control(Region.of(region), StarterSettings.check(
                CONTROL_ARC_CONTROL, MeridianSettings.propertyName(CONTROL_ARC_CONTROL.key(region)), arn)));
        String panel = arc.getControlPanelArn();
        if (panel != null) {
            b.controlPanelArn(StarterSettings.check(CONTROL_ARC_CONTROL_PANEL_ARN, panel));
        }
        return b.build();
    }

    private static MirroringControlSource mirror(ControlProperties p, MultiRegionConfig config) {
        requireClass("dev.meridian.dynamodb.control.ControlTableSource", "sdk-dynamodb");
        return new MirroringControlSource(arc(p), table(p, config), config.localRegion(),
                StarterSettings.check(CONTROL_MIRROR_LEASE, p.getMirrorLease()), Clock.systemUTC());
    }
}
