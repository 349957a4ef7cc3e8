package dev.meridian.spring;

import dev.meridian.core.MultiRegion;
import dev.meridian.core.MultiRegionConfig;
import dev.meridian.core.RegionalClientDefaults;
import dev.meridian.core.control.ControlConfig;
import dev.meridian.core.control.RegionControlSource;
import dev.meridian.core.control.StaticControlSource;
import dev.meridian.core.control.arc.ArcControlSource;
import dev.meridian.core.internal.SettingRules;
import dev.meridian.dynamodb.control.ControlTableSource;
import dev.meridian.dynamodb.control.MirroringControlSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the runtime's region control from {@code meridian.control.*}. The table and ARC sources are built in their
 * own methods, so their optional modules (sdk-dynamodb, route53recoverycluster) are loaded only when chosen.
 */
final class ControlSources {
    private static final String SOURCE = "meridian.control.source";

    private ControlSources() {
    }

    /** Gives {@code builder} the configured control, if any. */
    static void apply(MultiRegion.Builder builder, ControlProperties p, MultiRegionConfig config) {
        String kind = p.getSource() == null ? "none" : p.getSource().trim().toLowerCase(Locale.ROOT);
        RegionControlSource source;
        switch (kind) {
            case "none":
            case "":
                return;
            case "static":
                source = StaticControlSource.parse(p.getStaticState(), "meridian.control.static-state");
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
                throw SettingRules.invalid(SOURCE, "must be none, static, table or arc", SettingRules.quoted(p.getSource()),
                        "pick one of them");
        }
        builder.control(ControlConfig.builder(source).pollInterval(p.getPollInterval()).build());
    }

    private static void requireClass(String name, String artifact) {
        try {
            Class.forName(name, false, ControlSources.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw SettingRules.invalid(SOURCE, "needs " + artifact + " on the class path", name, "add the dependency", e);
        }
    }

    private static ControlTableSource table(ControlProperties p, MultiRegionConfig config) {
        List<Region> order = new ArrayList<>();
        if (p.getTableRegions().isEmpty()) {
            order.add(config.localRegion());
            config.regionsByPriority().stream().filter(r -> !order.contains(r)).forEach(order::add);
        } else {
            p.getTableRegions().forEach(id -> order.add(Region.of(id.trim())));
        }
        Duration timeout = p.getPollInterval().dividedBy(2);
        return ControlTableSource.builder().tableName(p.getTableName()).readOrder(order)
                .controlledRegions(config.regionList())
                .clientFactory(r -> DynamoDbClient.builder().region(r)
                        .applyMutation(c -> config.spec(r).flatMap(s -> s.endpoint()).ifPresent(c::endpointOverride))
                        .overrideConfiguration(RegionalClientDefaults.overrideConfiguration(1, timeout))
                        .build())
                .build();
    }

    private static ArcControlSource arc(ControlProperties p) {
        ControlProperties.Arc arc = p.getArc();
        ArcControlSource.Builder b = ArcControlSource.builder().timeout(arc.getTimeout());
        arc.getEndpoints().forEach((region, uri) -> b.endpoint(uri, Region.of(region)));
        arc.getControls().forEach((region, arn) -> b.control(Region.of(region), arn));
        if (arc.getControlPanelArn() != null) {
            b.controlPanelArn(arc.getControlPanelArn());
        }
        return b.build();
    }

    private static MirroringControlSource mirror(ControlProperties p, MultiRegionConfig config) {
        requireClass("dev.meridian.dynamodb.control.ControlTableSource", "sdk-dynamodb");
        return new MirroringControlSource(arc(p), table(p, config), config.localRegion(), p.getMirrorLease(),
                Clock.systemUTC());
    }
}
