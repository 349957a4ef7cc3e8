package dev.meridian.dynamodb.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Flag items of the control table schema, and the errors naming what is wrong in one. */
class FlagItemsTest {

    @Test
    void readsEveryAttributeOfTheSchema() {
        FlagDefinition flag = FlagItems.parse(Map.of(
                "pk", AttributeValue.fromS("flag#new-checkout"),
                "enabled", AttributeValue.fromBool(true),
                "regions", AttributeValue.fromM(Map.of("eu-west-1", AttributeValue.fromBool(false))),
                "rolloutPercent", AttributeValue.fromN("12.5"),
                "updatedBy", AttributeValue.fromS("ops"),
                "version", AttributeValue.fromN("7")));
        assertThat(flag.name()).isEqualTo("new-checkout");
        assertThat(flag.enabled()).isTrue();
        assertThat(flag.regions()).containsExactly(Map.entry("eu-west-1", false));
        assertThat(flag.rolloutPercent()).hasValue(12.5);
        assertThat(flag.version()).isEqualTo(7);
    }

    @Test
    void optionalAttributesMayBeAbsent() {
        FlagDefinition flag = FlagItems.parse(Map.of("pk", AttributeValue.fromS("flag#f"),
                "enabled", AttributeValue.fromBool(false)));
        assertThat(flag.regions()).isEmpty();
        assertThat(flag.rolloutPercent()).isEmpty();
        assertThat(flag.version()).isZero();
    }

    @Test
    void aMalformedItemIsNamedWithItsAttribute() {
        assertThatThrownBy(() -> FlagItems.parse(Map.of("pk", AttributeValue.fromS("flag#f"),
                "enabled", AttributeValue.fromS("yes"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flag 'f' attribute enabled must be a BOOL");
        assertThatThrownBy(() -> FlagItems.parse(Map.of("pk", AttributeValue.fromS("flag#f"),
                "enabled", AttributeValue.fromBool(true), "rolloutPercent", AttributeValue.fromN("120"))))
                .hasMessageContaining("rolloutPercent must be in 0..100");
        assertThatThrownBy(() -> FlagItems.parse(Map.of("pk", AttributeValue.fromS("flag#f"),
                "enabled", AttributeValue.fromBool(true),
                "regions", AttributeValue.fromM(Map.of("eu-west-1", AttributeValue.fromS("on"))))))
                .hasMessageContaining("regions.eu-west-1 must be a BOOL");
        assertThatThrownBy(() -> FlagItems.parse(Map.of("pk", AttributeValue.fromS("region#eu-west-1"))))
                .hasMessageContaining("pk must be 'flag#<name>'");
    }
}
